//! The fault-proof VM (issue 5). What exists so far is the first half of its test
//! bench: [`statetest`], a runner for the public Ethereum state tests that executes each
//! Cancun case with revm and checks the post-state MPT root and logs hash against the
//! fixture, so that the harness is known to be right before the step machine is compared
//! with it. The step machine itself is **not built**: every case is reported as skipped
//! for that reason.

pub mod statetest;
