//! Heap allocations per call, by size: `send` beside the hand-written call, on
//! the multi-thread runtime (server in the same runtime) and on a current-thread
//! one, sequential and with 64 in flight.
//!
//! ```text
//! cargo run --release -p graph-bench --bin allocs -- [--calls N] [--runtime multi|current]
//! ```
//!
//! A counting global allocator (over the system allocator) counts every
//! allocation and reallocation of the process while one side makes `N` calls
//! (default 2000) after a warm-up. The server's allocations are in the counts
//! too; it is the same server for both sides, so the difference between the
//! sides is the clients'. Blocks over 1 KiB are counted apart: glibc's
//! per-thread cache takes blocks up to 1032 bytes, larger ones take an arena
//! lock, contended when another worker frees them.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use graph_bench::BoxError;
use graph_bench::drive::{Clients, Runtime, Side, run};

/// Largest size with its own histogram slot (8-byte wide slots); larger
/// sizes share the last one.
const HIST_MAX: usize = 64 * 1024;
const LARGE: usize = 1024;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCS: AtomicU64 = AtomicU64::new(0);
static REALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);
static LARGE_ALLOCS: AtomicU64 = AtomicU64::new(0);
static LARGE_BYTES: AtomicU64 = AtomicU64::new(0);
static LARGE_SIZES: [AtomicU64; HIST_MAX / 8 + 1] = [const { AtomicU64::new(0) }; HIST_MAX / 8 + 1];

fn count(size: usize) {
    if !COUNTING.load(Ordering::Relaxed) {
        return;
    }
    BYTES.fetch_add(size as u64, Ordering::Relaxed);
    if size > LARGE {
        LARGE_ALLOCS.fetch_add(1, Ordering::Relaxed);
        LARGE_BYTES.fetch_add(size as u64, Ordering::Relaxed);
        LARGE_SIZES[size.min(HIST_MAX) / 8].fetch_add(1, Ordering::Relaxed);
    }
}

/// The system allocator, counting.
struct Counting;

// SAFETY: every method forwards to `System` with the caller's arguments, which
// upholds `GlobalAlloc`'s contract; the counting touches only atomics and never
// allocates.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(
            u64::from(COUNTING.load(Ordering::Relaxed)),
            Ordering::Relaxed,
        );
        count(layout.size());
        // SAFETY: forwarded as given.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(
            u64::from(COUNTING.load(Ordering::Relaxed)),
            Ordering::Relaxed,
        );
        count(layout.size());
        // SAFETY: forwarded as given.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as given.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        REALLOCS.fetch_add(
            u64::from(COUNTING.load(Ordering::Relaxed)),
            Ordering::Relaxed,
        );
        count(new_size);
        // SAFETY: forwarded as given.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn reset() {
    for c in [&ALLOCS, &REALLOCS, &BYTES, &LARGE_ALLOCS, &LARGE_BYTES] {
        c.store(0, Ordering::SeqCst);
    }
    for c in &LARGE_SIZES {
        c.store(0, Ordering::Relaxed);
    }
}

async fn measure(runtime: Runtime, calls: usize) -> Result<(), BoxError> {
    let server = runtime.start_server()?;
    let clients = Arc::new(Clients::new(&server.base_url(), None)?);
    println!(
        "# {}: send's boxed call future is {} bytes",
        runtime.name(),
        graph_runtime::bench_hooks::call_future_size(&clients.ours, &clients.action)?
    );
    for (mode, in_flight) in [("sequential", 1), ("parallel", 64)] {
        for side in [Side::Ours, Side::Hand] {
            // Warm up: connections open, pools and caches filled.
            run(&clients, side, calls.min(1000), in_flight).await?;
            reset();
            COUNTING.store(true, Ordering::SeqCst);
            run(&clients, side, calls, in_flight).await?;
            COUNTING.store(false, Ordering::SeqCst);
            let per = |c: &AtomicU64| c.load(Ordering::SeqCst) as f64 / calls as f64;
            let mut sizes: Vec<(usize, f64)> = LARGE_SIZES
                .iter()
                .enumerate()
                .map(|(i, c)| (i * 8, c.load(Ordering::SeqCst) as f64 / calls as f64))
                .filter(|(_, n)| *n >= 0.05)
                .collect();
            sizes.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let listed: Vec<String> = sizes
                .iter()
                .take(10)
                .map(|(s, n)| format!("{s}-{}B x{n:.2}", s + 7))
                .collect();
            println!(
                "{}\t{mode}\t{in_flight}\t{}\t{:.2}\t{:.2}\t{:.0}\t{:.2}\t{:.0}\t{}",
                runtime.name(),
                side.name(),
                per(&ALLOCS),
                per(&REALLOCS),
                per(&BYTES),
                per(&LARGE_ALLOCS),
                per(&LARGE_BYTES),
                listed.join(", ")
            );
        }
    }
    Ok(())
}

fn main() -> Result<(), BoxError> {
    let mut calls = 2000usize;
    let mut runtimes = vec![Runtime::Multi, Runtime::Current];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--calls" => calls = value()?.parse()?,
            "--runtime" => {
                runtimes = vec![match value()?.as_str() {
                    "multi" => Runtime::Multi,
                    "current" => Runtime::Current,
                    other => return Err(format!("--runtime multi|current, not {other}").into()),
                }]
            }
            "--bench" => {}
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    if calls == 0 {
        return Err("--calls must be at least 1".into());
    }
    println!(
        "# per call, {calls} calls per side; blocks over {LARGE} B counted apart (size ranges of 8 B)"
    );
    println!(
        "runtime\tmode\tin_flight\tside\tallocs\treallocs\tbytes\tallocs_over_1KiB\tbytes_over_1KiB\tsizes_over_1KiB"
    );
    for runtime in runtimes {
        let rt = runtime.build()?;
        rt.block_on(measure(runtime, calls))?;
    }
    Ok(())
}
