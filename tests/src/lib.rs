//! Tests of graph-runtime and graph-macros live in `tests/` and `ui/`.
