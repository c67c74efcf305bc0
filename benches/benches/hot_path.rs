//! Hot path without the network: building the mute request and reading its answer.

fn main() {}
