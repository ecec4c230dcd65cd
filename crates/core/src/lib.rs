//! The engine of parallel-threads, shared by every isolate of the process.
//!
//! Isolates (the program's own, and pool threads, which are Node worker
//! threads) attach to one [`Engine`]. A caller submits a call; the engine
//! places it on a thread of its own — an idle one, or a new one within
//! `maxThreads` (past it, calls wait in FIFO order) — and a thread holds that
//! one call until it settles, synchronous or awaiting. The thread
//! waits for work inside the engine (spinning briefly, then parking), runs the
//! call, and completes it; the outcome goes to the caller's queue and the
//! caller is woken, in a blocking wait or through its event loop. Deadlines
//! expire calls; cancellation and timeouts terminate the thread that runs
//! them, and only that call runs there. Nothing here depends on Node-API: the binding crate adapts it.

#![deny(clippy::all)]

mod calls;
mod deadline;
mod engine;
mod error;
mod executors;
mod functions;
mod isolates;
mod oversubscription;
pub mod parker;
mod payload;
mod samples;
mod state;
mod threads;
mod waker;

pub use engine::{default_max_threads, engine, Engine, DEFAULT_EXECUTOR, DEFAULT_IDLE_TIMEOUT};
pub use error::CoreError;
pub use executors::ExecutorStats;
pub use isolates::{Arrivals, SyncWait};
pub use oversubscription::oversubscribed;
pub use payload::{Outcome, Payload, Status, Value};
pub use samples::Percentiles;
pub use state::{
  CallId, CallSpec, Duty, ExecutorConfig, ExecutorCounters, ExecutorId, FunctionId, IsolateId,
  IsolateKind, Job, Notifier, ThreadId,
};
pub use threads::Next;
pub use waker::defer_wakeups_of_this_thread;
