//! The portability check's parse and scope analysis; which free
//! names are worker globals, and the verdict, are lib/portability/check.ts's.

use napi_derive::napi;
use parallel_threads_portability::{analyze_guarded, Analysis};

/// What a function's source says about it.
#[napi(object)]
pub struct FunctionAnalysis {
  /// `"function"`, `"class"`, `"generator"` or `"unparsable"`.
  #[napi(ts_type = "\"function\" | \"class\" | \"generator\" | \"unparsable\"")]
  pub kind: String,
  /// The source to evaluate on a thread, when it is not the text itself
  /// (a method rewritten as an expression, helpers provided).
  pub source: Option<String>,
  pub is_async: bool,
  pub is_arrow: bool,
  /// Identifiers used without being bound, globals included, sorted.
  pub free: Vec<String>,
  /// `this`, `super`, `new.target`, `import.meta` of the caller, sorted.
  #[napi(ts_type = "Array<\"this\" | \"super\" | \"new.target\" | \"import.meta\">")]
  pub contextual: Vec<String>,
  /// The parser's message, for `"unparsable"`.
  pub error: Option<String>,
}

impl FunctionAnalysis {
  fn shape(kind: &str, error: Option<String>) -> Self {
    FunctionAnalysis {
      kind: kind.to_string(),
      source: None,
      is_async: false,
      is_arrow: false,
      free: Vec::new(),
      contextual: Vec::new(),
      error,
    }
  }
}

/// Parses `source`, the text of a function named `name` (`fn.name`), and
/// finds what it uses from outside itself.
#[napi]
pub fn analyze_function(source: String, name: String) -> FunctionAnalysis {
  match analyze_guarded(&source, &name) {
    Analysis::Function(function) => FunctionAnalysis {
      kind: "function".to_string(),
      source: function.source,
      is_async: function.is_async,
      is_arrow: function.is_arrow,
      free: function.free,
      contextual: function
        .contextual
        .into_iter()
        .map(|use_| use_.name().to_string())
        .collect(),
      error: None,
    },
    Analysis::Class => FunctionAnalysis::shape("class", None),
    Analysis::Generator => FunctionAnalysis::shape("generator", None),
    Analysis::Unparsable(message) => FunctionAnalysis::shape("unparsable", Some(message)),
  }
}
