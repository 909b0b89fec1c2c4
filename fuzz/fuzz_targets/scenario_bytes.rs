//! Arbitrary bytes as a scenario file: parsing, `extends`, merging and validation must end in
//! a scenario or an input error, never a panic; a small scenario that loads is simulated.
#![no_main]

#[path = "../common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::scenario_bytes(data));
