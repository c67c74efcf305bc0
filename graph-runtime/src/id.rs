//! Random request ids: version 4 UUIDs in their lowercase hyphenated form.
//!
//! Drawn from the operating system's generator through `ring`, which the TLS
//! stack already builds, so no UUID crate is needed.

use ring::rand::{SecureRandom, SystemRandom};

/// The length of `xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx`.
const LEN: usize = 36;

/// A new random UUID (version 4, RFC 9562 variant), e.g.
/// `17e3b46c-f61d-4f4d-9635-c626ef18e6ad`.
pub(crate) fn uuid_v4() -> String {
    let mut bytes = [0u8; 16];
    if SystemRandom::new().fill(&mut bytes).is_err() {
        // Not expected on any supported system; an id must still be unique per
        // call, not secret.
        bytes[..8].copy_from_slice(&fastrand::u64(..).to_le_bytes());
        bytes[8..].copy_from_slice(&fastrand::u64(..).to_le_bytes());
    }
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
    fn ids_are_v4_and_distinct() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| uuid_v4()).collect();
        assert_eq!(ids.len(), 1000);
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
