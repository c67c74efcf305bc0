//! An in-process Graph cloud communications service on loopback.
