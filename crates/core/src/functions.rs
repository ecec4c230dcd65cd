//! The registry of portable function sources: each distinct source gets one
//! id, so a call carries a number, and each thread compiles a source once.

use std::sync::Arc;

use crate::engine::Engine;
use crate::state::FunctionId;

impl Engine {
  /// The id of a function source, registering it the first time.
  pub fn register_function(&self, source: &str) -> FunctionId {
    let mut st = self.lock();
    if let Some(id) = st.function_ids.get(source) {
      return *id;
    }
    let id = st.functions.len() as FunctionId;
    let source: Arc<str> = Arc::from(source);
    st.functions.push(Arc::clone(&source));
    st.function_ids.insert(source, id);
    id
  }

  /// The source registered under `id`.
  pub fn function_source(&self, id: FunctionId) -> Option<Arc<str>> {
    self.lock().functions.get(id as usize).cloned()
  }
}
