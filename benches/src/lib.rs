//! Shared pieces of the graph-runtime benchmarks: the seed action, its documented
//! response, and the same call written by hand with reqwest and serde_json.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
