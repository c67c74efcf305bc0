//! Loopback throughput: `send` beside the same call hand-written with reqwest.

fn main() {}
