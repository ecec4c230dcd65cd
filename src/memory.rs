//! Giving an idle thread's memory back. V8 keeps the young generation a
//! thread grew while busy until its memory reducer runs, and that runs from
//! the event loop — which an idle pool thread doesn't turn: it waits in the
//! core. `trimHeap` asks V8 for a memory-reducing collection through Node's
//! embedder API `node::LowMemoryNotification()` (node.h), looked up at run
//! time so the addon has no link-time dependency on Node's C++ symbols.

use std::sync::OnceLock;

use napi_derive::napi;

type LowMemoryNotification = unsafe extern "C" fn();

/// `node::LowMemoryNotification` in this process, if it exports it.
fn low_memory_notification() -> Option<LowMemoryNotification> {
  static FOUND: OnceLock<Option<LowMemoryNotification>> = OnceLock::new();
  *FOUND.get_or_init(find)
}

#[cfg(unix)]
fn find() -> Option<LowMemoryNotification> {
  // The Itanium C++ ABI name of `void node::LowMemoryNotification()`.
  let name = c"_ZN4node21LowMemoryNotificationEv";
  // SAFETY: dlsym with RTLD_DEFAULT and a NUL-terminated name only reads.
  let symbol = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) };
  if symbol.is_null() {
    return None;
  }
  // SAFETY: the symbol is a function taking and returning nothing, whose C++
  // calling convention for a free function is the C one.
  Some(unsafe { std::mem::transmute::<*mut libc::c_void, LowMemoryNotification>(symbol) })
}

#[cfg(not(unix))]
fn find() -> Option<LowMemoryNotification> {
  None
}

/// Runs a memory-reducing garbage collection of the calling isolate (the
/// young generation shrinks back); returns false where it isn't available.
#[napi(js_name = "trimHeap")]
pub fn trim_heap() -> bool {
  match low_memory_notification() {
    // SAFETY: called on a JavaScript thread, whose isolate is the current one.
    Some(notify) => {
      unsafe { notify() };
      true
    }
    None => false,
  }
}
