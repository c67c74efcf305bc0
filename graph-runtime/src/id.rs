//! Random request ids: version 4 UUIDs in their lowercase hyphenated form.
//!
//! Drawn from the operating system's generator through `ring`, which the TLS
//! stack already builds, so no UUID crate is needed. Each thread keeps a buffer
//! of random bytes for 64 ids and refills it from the OS when it runs out, so
//! a call does not ask the OS for randomness for its id. After a `fork` the
//! child's first id refills it: the buffer remembers the process id it was
//! drawn in, checked on every id (`getpid`, far cheaper than drawing random
//! bytes), so parent and child never hand out the same ids.

use std::cell::RefCell;

use ring::rand::{SecureRandom, SystemRandom};

/// The length of `xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx`.
const LEN: usize = 36;

/// Ids per refill of a thread's buffer.
const IDS_PER_REFILL: usize = 64;

/// A thread's random bytes: `IDS_PER_REFILL` ids' worth, the next unused one,
/// and the process they were drawn in.
struct Pool {
    bytes: [[u8; 16]; IDS_PER_REFILL],
    next: usize,
    pid: u32,
}

impl Pool {
    fn take(&mut self) -> [u8; 16] {
        let pid = std::process::id();
        if self.next >= IDS_PER_REFILL || self.pid != pid {
            self.refill(pid);
        }
        let id = self.bytes[self.next];
        // Used bytes are not kept.
        self.bytes[self.next] = [0; 16];
        self.next += 1;
        id
    }

    fn refill(&mut self, pid: u32) {
        let flat = self.bytes.as_flattened_mut();
        if SystemRandom::new().fill(flat).is_err() {
            // Not expected on any supported system; an id must still be unique
            // per call, not secret.
            for chunk in flat.chunks_mut(8) {
                chunk.copy_from_slice(&fastrand::u64(..).to_le_bytes()[..chunk.len()]);
            }
        }
        self.next = 0;
        self.pid = pid;
    }
}

thread_local! {
    static POOL: RefCell<Pool> = const {
        RefCell::new(Pool {
            bytes: [[0; 16]; IDS_PER_REFILL],
            next: IDS_PER_REFILL,
            pid: 0,
        })
    };
}

/// A new random UUID (version 4, RFC 9562 variant), e.g.
/// `17e3b46c-f61d-4f4d-9635-c626ef18e6ad`.
pub(crate) fn uuid_v4() -> String {
    let bytes = POOL
        .try_with(|pool| pool.borrow_mut().take())
        .unwrap_or_else(|_| {
            // The thread is being torn down: draw this one directly.
            let mut bytes = [0u8; 16];
            if SystemRandom::new().fill(&mut bytes).is_err() {
                bytes[..8].copy_from_slice(&fastrand::u64(..).to_le_bytes());
                bytes[8..].copy_from_slice(&fastrand::u64(..).to_le_bytes());
            }
            bytes
        });
    format_v4(bytes)
}

fn format_v4(mut bytes: [u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // variant 10
    let mut out = String::with_capacity(LEN);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_version_and_variant() {
        assert_eq!(format_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
        assert_eq!(
            format_v4([0xff; 16]),
            "ffffffff-ffff-4fff-bfff-ffffffffffff"
        );
        assert_eq!(
            format_v4([
                0x17, 0xe3, 0xb4, 0x6c, 0xf6, 0x1d, 0x4f, 0x4d, 0x96, 0x35, 0xc6, 0x26, 0xef, 0x18,
                0xe6, 0xad
            ]),
            "17e3b46c-f61d-4f4d-9635-c626ef18e6ad"
        );
    }

    #[test]
    fn a_new_process_refills_the_pool() {
        let mut pool = Pool {
            bytes: [[7; 16]; IDS_PER_REFILL],
            next: 0,
            pid: std::process::id(),
        };
        // Same process, bytes left: taken as they are, then cleared.
        assert_eq!(pool.take(), [7; 16]);
        assert_eq!(pool.bytes[0], [0; 16]);
        assert_eq!(pool.next, 1);
        // As a forked child sees it: the pool was drawn in another process.
        pool.pid = pool.pid.wrapping_add(1);
        let id = pool.take();
        assert_eq!(pool.pid, std::process::id());
        assert_eq!(pool.next, 1, "refilled, then one taken");
        assert_ne!(id, [7; 16]);
        assert!(pool.bytes[1..].iter().any(|b| *b != [7; 16]));
        // Used up: refilled on the next take.
        pool.next = IDS_PER_REFILL;
        pool.take();
        assert_eq!(pool.next, 1);
    }

    #[test]
    fn ids_are_v4_and_distinct() {
        // Several refills of this thread's pool, and other threads' pools.
        let mut ids: std::collections::HashSet<String> = (0..1000).map(|_| uuid_v4()).collect();
        let others: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| s.spawn(|| (0..100).map(|_| uuid_v4()).collect::<Vec<_>>()))
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        ids.extend(others);
        assert_eq!(ids.len(), 1400);
        for id in &ids {
            assert_eq!(id.len(), LEN);
            assert_eq!(&id[14..15], "4", "{id}");
            assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
            assert!(
                id.bytes()
                    .all(|b| b == b'-' || b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            );
        }
    }
}
