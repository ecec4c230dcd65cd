//! Node-API binding of the parallel-threads core: type conversions only.
//! Each isolate (the program's, and every pool thread) loads this addon and
//! attaches to the one process-wide engine.

#![deny(clippy::all)]

mod calls;
mod convert;
mod errors;
mod executors;
mod isolate;
mod memory;
mod portability;
mod protocol;
mod time;
mod worker;
