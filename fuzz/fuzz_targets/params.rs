//! Arbitrary parameter values (often at or past their edges): whatever validates must
//! simulate without panic, endless loop or a metric out of bounds.
#![no_main]

#[path = "../common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::params(data));
