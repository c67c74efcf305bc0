//! Loopback throughput (design section 6): calls per second through `send`
//! beside the same call hand-written with reqwest and serde_json (the same
//! headers on the wire), sequential and with 64 in flight, on two runtimes.
//! Bar: at least 1.0x the hand-written rate in every cell, never below 0.95x.
//!
//! ```text
//! cargo run --release -p graph-bench --bin throughput -- [--calls N] [--concurrency N]
//!     [--reps N] [--block N] [--max-secs S] [--only ours|hand] [--mode seq|par]
//!     [--runtime multi|current] [--ours-no-timeout] [--control]
//! ```
//!
//! Defaults: 20000 calls per side per run, 64 in flight, 3 runs (median), the
//! sides alternating in blocks of 1000 calls, no new block after 600 s, both
//! runtimes. Each also reads an env var: `GRAPH_BENCH_CALLS`,
//! `GRAPH_BENCH_CONCURRENCY`, `GRAPH_BENCH_REPS`, `GRAPH_BENCH_BLOCK`,
//! `GRAPH_BENCH_MAX_SECS`. `--block` equal to `--calls` runs each side's calls in
//! one go.
//!
//! `--control` is an A/A run: the "graph-runtime send" side makes the
//! hand-written call too, through a second hand-written client with its own
//! connection, so the ratio shows what the bench adds between identical sides
//! (BENCHMARKS.md section 2b: about 0.994 sequentially).
//!
//! Runtimes: `multi` is the multi-thread runtime as `#[tokio::main]` starts it
//! (one worker per core), with the server as a task of the same runtime, as in a
//! bot that serves and calls; `current` runs the clients on a current-thread
//! runtime and the server on its own thread and current-thread runtime.
//!
//! Reported per runtime and mode: each run's rate and CPU time per call for both
//! sides, the median of the runs' ratios (ours / hand-written; both sides of a
//! run share the machine's load, so this is the figure held against the bar),
//! the median (and quartiles) of the block pairs' ratios (each block of one side
//! against the other side's block run right beside it: a burst of load on the
//! machine spoils one pair, not a whole run), and for reference the ratio of the
//! median rates and of the median CPU times.

use std::sync::Arc;
use std::time::{Duration, Instant};

use graph_bench::drive::{Clients, Runtime, Side, run as drive};
use graph_bench::{BoxError, median};

#[derive(Debug, Clone)]
struct Config {
    calls: usize,
    concurrency: usize,
    reps: usize,
    block: usize,
    max_secs: u64,
    only: Option<Side>,
    mode: Option<Mode>,
    runtime: Option<Runtime>,
    /// Diagnostic: build `GraphClient` without its per-attempt timeout.
    ours_no_timeout: bool,
    /// Control (A/A): the hand-written call on both sides, through two
    /// clients; the ratio shows the bench's own bias between the sides.
    control: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Sequential,
    Parallel,
}

fn env_or(name: &str, default: u64) -> Result<u64, BoxError> {
    match std::env::var(name) {
        Ok(v) => Ok(v.parse().map_err(|e| format!("{name}={v}: {e}"))?),
        Err(_) => Ok(default),
    }
}

fn parse_args() -> Result<Config, BoxError> {
    let mut cfg = Config {
        calls: env_or("GRAPH_BENCH_CALLS", 20_000)? as usize,
        concurrency: env_or("GRAPH_BENCH_CONCURRENCY", 64)? as usize,
        reps: env_or("GRAPH_BENCH_REPS", 3)? as usize,
        block: env_or("GRAPH_BENCH_BLOCK", 1_000)? as usize,
        max_secs: env_or("GRAPH_BENCH_MAX_SECS", 600)?,
        only: None,
        mode: None,
        runtime: None,
        ours_no_timeout: false,
        control: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--calls" => cfg.calls = value()?.parse()?,
            "--concurrency" => cfg.concurrency = value()?.parse()?,
            "--reps" => cfg.reps = value()?.parse()?,
            "--block" => cfg.block = value()?.parse()?,
            "--max-secs" => cfg.max_secs = value()?.parse()?,
            "--only" => {
                cfg.only = Some(match value()?.as_str() {
                    "ours" => Side::Ours,
                    "hand" => Side::Hand,
                    other => return Err(format!("--only ours|hand, not {other}").into()),
                })
            }
            "--mode" => {
                cfg.mode = Some(match value()?.as_str() {
                    "seq" => Mode::Sequential,
                    "par" => Mode::Parallel,
                    other => return Err(format!("--mode seq|par, not {other}").into()),
                })
            }
            "--runtime" => {
                cfg.runtime = Some(match value()?.as_str() {
                    "multi" => Runtime::Multi,
                    "current" => Runtime::Current,
                    other => return Err(format!("--runtime multi|current, not {other}").into()),
                })
            }
            "--ours-no-timeout" => cfg.ours_no_timeout = true,
            "--control" => cfg.control = true,
            "--bench" => {} // passed by `cargo bench`
            "-h" | "--help" => {
                println!(
                    "throughput [--calls N] [--concurrency N] [--reps N] [--block N] [--max-secs S] \
                     [--only ours|hand] [--mode seq|par] [--runtime multi|current] [--ours-no-timeout] \
                     [--control]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    if cfg.calls == 0 || cfg.concurrency == 0 || cfg.reps == 0 || cfg.block == 0 {
        return Err("calls, concurrency, reps and block must be at least 1".into());
    }
    Ok(cfg)
}

/// Runs `calls` calls with `concurrency` in flight; returns calls per second.
async fn run(
    clients: &Arc<Clients>,
    side: Side,
    calls: usize,
    concurrency: usize,
) -> Result<f64, BoxError> {
    let start = Instant::now();
    drive(clients, side, calls, concurrency).await?;
    Ok(calls as f64 / start.elapsed().as_secs_f64())
}

async fn bench(cfg: Config, runtime: Runtime) -> Result<(), BoxError> {
    let server = runtime.start_server()?;
    let base = server.base_url();
    let clients = Arc::new(if cfg.control {
        Clients::control(&base)?
    } else {
        Clients::new(&base, cfg.ours_no_timeout.then_some(Duration::MAX))?
    });
    println!("# runtime: {}", runtime.name());
    if cfg.control {
        println!(
            "# CONTROL RUN: the \"{}\" side is a second hand-written client",
            Side::Ours.name()
        );
    }

    // Both sides send the same request: show what the server received.
    server.record(true);
    clients.call(Side::Ours).await?;
    clients.call(Side::Hand).await?;
    server.record(false);
    for (side, seen) in [Side::Ours, Side::Hand].iter().zip(server.take_seen()) {
        let mut names: Vec<String> = seen.headers.iter().map(|(n, _)| n.clone()).collect();
        names.sort();
        println!(
            "# {}: {} {} body={} headers=[{}]",
            side.name(),
            seen.method,
            seen.uri,
            String::from_utf8_lossy(&seen.body),
            names.join(", ")
        );
    }

    let sides: Vec<Side> = match cfg.only {
        Some(s) => vec![s],
        None => vec![Side::Ours, Side::Hand],
    };
    let modes: Vec<(Mode, usize)> = match cfg.mode {
        Some(Mode::Sequential) => vec![(Mode::Sequential, 1)],
        Some(Mode::Parallel) => vec![(Mode::Parallel, cfg.concurrency)],
        None => vec![(Mode::Sequential, 1), (Mode::Parallel, cfg.concurrency)],
    };
    let deadline = Instant::now() + Duration::from_secs(cfg.max_secs);
    println!(
        "# {} calls per side per run, median of {} runs, sides alternate in blocks of {}",
        cfg.calls, cfg.reps, cfg.block
    );
    println!("runtime\tmode\tin_flight\tside\trun\tcalls_per_sec\tcpu_us_per_call");
    for &(mode, in_flight) in &modes {
        // Warm up: open the connections and fault in the code paths.
        let warm = (cfg.calls / 10).clamp(in_flight, 2_000);
        for &side in &sides {
            run(&clients, side, warm, in_flight).await?;
        }
        let mut rates: Vec<Vec<f64>> = vec![Vec::new(); sides.len()];
        let mut cpus: Vec<Vec<f64>> = vec![Vec::new(); sides.len()];
        let mut run_ratios: Vec<f64> = Vec::new();
        let mut block_ratios: Vec<f64> = Vec::new();
        'reps: for rep in 0..cfg.reps {
            // The sides alternate in blocks (ABBA), so a change in machine load
            // falls on both alike; each side's rate is its calls over the time
            // spent in its own blocks.
            let mut elapsed = vec![Duration::ZERO; sides.len()];
            let mut cpu = vec![0u64; sides.len()];
            let mut remaining = cfg.calls;
            let mut block_no = 0usize;
            while remaining > 0 {
                if Instant::now() > deadline {
                    println!("# time limit of {} s reached; stopping", cfg.max_secs);
                    break 'reps;
                }
                let n = cfg.block.min(remaining);
                let mut order: Vec<usize> = (0..sides.len()).collect();
                if (block_no + rep) % 2 == 1 {
                    order.reverse();
                }
                let mut block = [Duration::ZERO; 2];
                for i in order {
                    let cpu0 = cpu_ns();
                    let start = Instant::now();
                    run(&clients, sides[i], n, in_flight).await?;
                    let took = start.elapsed();
                    elapsed[i] += took;
                    block[i] = took;
                    cpu[i] += cpu_ns().saturating_sub(cpu0);
                }
                // The two sides' blocks ran back to back: their ratio is the
                // least disturbed by the machine's load over the run.
                if sides.len() == 2 {
                    block_ratios.push(block[1].as_secs_f64() / block[0].as_secs_f64());
                }
                remaining -= n;
                block_no += 1;
            }
            for (i, side) in sides.iter().enumerate() {
                let rate = cfg.calls as f64 / elapsed[i].as_secs_f64();
                let cpu_us = cpu[i] as f64 / 1e3 / cfg.calls as f64;
                println!(
                    "{}\t{}\t{in_flight}\t{}\t{}\t{rate:.0}\t{cpu_us:.1}",
                    runtime.name(),
                    mode_name(mode),
                    side.name(),
                    rep + 1
                );
                rates[i].push(rate);
                cpus[i].push(cpu_us);
            }
            // The two sides of one run saw the same machine: their ratio is the
            // figure; the rates alone drift with the load of the machine.
            if let [ours, hand] = &rates[..]
                && let (Some(o), Some(h)) = (ours.last(), hand.last())
            {
                run_ratios.push(o / h);
            }
        }
        let medians: Vec<Option<f64>> = rates
            .iter_mut()
            .map(|r| (!r.is_empty()).then(|| median(r)))
            .collect();
        for (side, m) in sides.iter().zip(&medians) {
            if let Some(m) = m {
                println!(
                    "# median {} {}: {m:.0} calls/s",
                    mode_name(mode),
                    side.name()
                );
            }
        }
        let cpu_medians: Vec<Option<f64>> = cpus
            .iter_mut()
            .map(|r| (!r.is_empty()).then(|| median(r)))
            .collect();
        for (side, m) in sides.iter().zip(&cpu_medians) {
            if let Some(m) = m {
                println!(
                    "# median {} {}: {m:.1} CPU us per call (client and server threads)",
                    mode_name(mode),
                    side.name()
                );
            }
        }
        if let [Some(ours), Some(hand)] = cpu_medians[..] {
            println!(
                "# ratio {} (in flight {in_flight}) of calls per CPU second: {:.3}",
                mode_name(mode),
                hand / ours
            );
        }
        if let [Some(ours), Some(hand)] = medians[..] {
            println!(
                "# ratio of the median rates {} (in flight {in_flight}): {:.3}",
                mode_name(mode),
                ours / hand
            );
        }
        if !block_ratios.is_empty() {
            let count = block_ratios.len();
            block_ratios.sort_by(f64::total_cmp);
            let q = |f: f64| block_ratios[((count - 1) as f64 * f).round() as usize];
            println!(
                "# ratio {} {} (in flight {in_flight}), median of {count} block pairs: {:.3} (quartiles {:.3}-{:.3})",
                runtime.name(),
                mode_name(mode),
                q(0.5),
                q(0.25),
                q(0.75)
            );
        }
        if !run_ratios.is_empty() {
            let listed: Vec<String> = run_ratios.iter().map(|r| format!("{r:.3}")).collect();
            let ratio = median(&mut run_ratios);
            println!(
                "# ratio {} {} (in flight {in_flight}), median of the runs' ratios [{}]: {ratio:.3} ({}; bar >= 1.0, no run below 0.95)",
                runtime.name(),
                mode_name(mode),
                listed.join(", "),
                if ratio >= 1.0 && run_ratios.iter().all(|r| *r >= 0.95) {
                    "meets the bar"
                } else {
                    "MISSES the bar"
                }
            );
        }
    }
    Ok(())
}

/// CPU time used so far by all threads of this process (client and server), in
/// nanoseconds, user and kernel, from `/proc/self/task/*/schedstat`; 0 where
/// that is not available.
fn cpu_ns() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .filter_map(Result::ok)
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Sequential => "sequential",
        Mode::Parallel => "parallel",
    }
}

fn main() -> Result<(), BoxError> {
    let cfg = parse_args()?;
    let runtimes = match cfg.runtime {
        Some(r) => vec![r],
        None => vec![Runtime::Multi, Runtime::Current],
    };
    for runtime in runtimes {
        // A fresh runtime, server and clients for each: nothing carries over.
        let rt = runtime.build()?;
        rt.block_on(bench(cfg.clone(), runtime))?;
    }
    Ok(())
}
