//! Node-API binding of the parallel-threads core: type conversions only.
//! Each isolate (the program's, and every pool thread) loads this addon and
//! attaches to the one process-wide engine.

#![deny(clippy::all)]
// A test build of this crate (`cargo test`) does not register the `#[napi]`
// exports, so everything only they reach would be reported as dead code.
#![cfg_attr(test, allow(dead_code))]

mod calls;
mod convert;
mod errors;
mod executors;
mod fast;
mod isolate;
mod memory;
mod portability;
mod priority;
mod protocol;
mod time;
mod worker;
