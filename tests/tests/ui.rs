//! The compile-fail suite: one misuse of `#[graph_action]` per file in `ui/`, each
//! with the exact compiler output a user sees (`TRYBUILD=overwrite` regenerates
//! the `.stderr` files; read every one before accepting it).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/*.rs");
}
