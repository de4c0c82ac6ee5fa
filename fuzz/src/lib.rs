//! Fuzz bodies for hwoath, shared by the `cargo fuzz` targets (fuzz_targets/*.rs) and by the
//! stable corpus replay test (tests/fuzz_corpus.rs includes bodies.rs by path).

pub mod bodies;
