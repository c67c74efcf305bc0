//! Shared pieces of the graph-runtime benchmarks (design section 6): the seed
//! action, its documented response, a loopback server that answers it, and the
//! same call written by hand with reqwest and serde_json.
//!
//! - `benches/hot_path.rs` (criterion, `cargo bench -p graph-bench`): building the
//!   request and reading the answer, without the network.
//! - `src/bin/throughput.rs` (`cargo run --release -p graph-bench --bin throughput`):
//!   calls per second on loopback, sequential and with 64 in flight.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod drive;
pub mod hand;
pub mod seed;
pub mod server;

/// The median of `values` (sorted in place; the mean of the middle two for an
/// even count): the figure every bench reports over its runs. `values` must not
/// be empty.
pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Any error, for bench plumbing.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The call id of the documentation's example request.
pub const CALL_ID: &str = "57dab8b1-894c-409a-b240-bd8beae78896";
/// The participant id of the documentation's example request.
pub const PARTICIPANT_ID: &str = "2765eb15-01f8-47c6-b12b-c32111a4a86f";
/// The client context of the documentation's example request.
pub const CLIENT_CONTEXT: &str = "d45324c1-fcb5-430a-902c-f20af696537c";
/// The bearer token the benches send (loopback only).
pub const TOKEN: &str = "bench-token-not-a-secret";

/// The documented answer to `participant: mute` (v1.0), exactly as the docs show it.
pub const MUTE_RESPONSE: &str = r##"{
  "@odata.type": "#microsoft.graph.muteParticipantOperation",
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#muteParticipantOperation",
  "id": "17e3b46c-f61d-4f4d-9635-c626ef18e6ad",
  "status": "completed",
  "clientContext": "d45324c1-fcb5-430a-902c-f20af696537c"
}"##;

/// The `Location` header of the documented answer.
pub const MUTE_LOCATION: &str = "https://graph.microsoft.com/v1.0/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/operations/17e3b46c-f61d-4f4d-9635-c626ef18e6ad";

/// The operation id in [`MUTE_RESPONSE`].
pub const OPERATION_ID: &str = "17e3b46c-f61d-4f4d-9635-c626ef18e6ad";
