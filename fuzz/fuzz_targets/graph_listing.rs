#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hwoath_fuzz::bodies::graph_listing(data));
