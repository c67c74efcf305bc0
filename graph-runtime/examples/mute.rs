//! Mutes a participant: against the built-in emulator, or Microsoft Graph.
fn main() {}
