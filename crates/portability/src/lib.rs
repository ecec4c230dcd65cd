//! The static portability check of parallel-threads: can a
//! function be re-created on a worker thread from its source alone?
//!
//! [`analyze`] parses the text `Function.prototype.toString` gives — a
//! function expression, an arrow, or an object or class method — and finds
//! what the function uses from outside itself. Which free names are worker
//! globals, and the messages, are decided by the caller (lib/portability/).

mod declarations;
mod scope;

use oxc_allocator::Allocator;
use oxc_ast::ast::{
  ClassElement, Expression, Function, MethodDefinitionKind, ObjectPropertyKind, Program,
  PropertyKind, Statement,
};
use oxc_parser::{ParseOptions, Parser};
use oxc_span::{GetSpan, SourceType};

pub use scope::Contextual;
use scope::{analyze_scope, Root};

/// What a function's source says about it.
#[derive(Debug, PartialEq, Eq)]
pub enum Analysis {
  /// A function, arrow or method that can be analysed (and maybe re-created).
  Function(FunctionAnalysis),
  /// The source of a class: not a function to call.
  Class,
  /// A generator or async generator function or method.
  Generator,
  /// The source could not be parsed as a function; the parser's message.
  Unparsable(String),
}

/// A function's evaluable source and what it uses from outside itself.
#[derive(Debug, PartialEq, Eq)]
pub struct FunctionAnalysis {
  /// Source text that, evaluated as an expression in a fresh global scope,
  /// yields an equivalent function; `None` when that is the text itself.
  pub source: Option<String>,
  /// Whether it is an `async` function, arrow or method.
  pub is_async: bool,
  /// Whether it is an arrow function.
  pub is_arrow: bool,
  /// The identifiers it uses without binding them, globals included (the
  /// caller filters those), private names as `#x`; sorted as JavaScript
  /// sorts strings, without duplicates. Helpers provided in `source`
  /// (`__name`) are not listed.
  pub free: Vec<String>,
  /// The uses of its caller's context, sorted by name.
  pub contextual: Vec<Contextual>,
}

/// Wrappers tried in turn: as an expression, as an object method, as a class
/// method. Inside a function, `new.target` parses, and the returned
/// expression is the only one in the program.
const WRAPPERS: [(&str, &str); 3] = [
  ("(function(){return(", "\n)})"),
  ("(function(){return({", "\n})})"),
  ("(function(){return(class{", "\n})})"),
];

/// Compiler helpers a worker can rebuild from nothing: esbuild's (and so
/// tsx's) `keepNames` wraps nested functions and classes in
/// `__name(fn, "fn")`. Each entry: the name and the helper's source.
const HELPERS: [(&str, &str); 1] = [(
  "__name",
  r#"(target, value) => Object.defineProperty(target, "name", { value, configurable: true })"#,
)];

/// Analyses `source`, the text of a function named `name` (`fn.name`, maybe
/// empty). The text is parsed as the expression it usually is, else as an
/// object or class method; a method becomes an equivalent expression.
pub fn analyze(source: &str, name: &str) -> Analysis {
  let mut first_error: Option<String> = None;
  for (index, (open, close)) in WRAPPERS.iter().enumerate() {
    let text = format!("{open}{source}{close}");
    let allocator = Allocator::default();
    let options = ParseOptions {
      preserve_parens: false,
      ..ParseOptions::default()
    };
    // Unambiguous: sloppy-mode script syntax (`with`, `010`), and
    // `import.meta` too, as the function may come from a module.
    let parsed = Parser::new(&allocator, &text, SourceType::unambiguous())
      .with_options(options)
      .parse();
    if parsed.panicked || !parsed.diagnostics.is_empty() {
      if first_error.is_none() {
        let message = parsed.diagnostics.first().map(|error| error.to_string());
        first_error = Some(message.unwrap_or_else(|| "Unexpected token".to_string()));
      }
      continue;
    }
    let Some(expression) = returned(&parsed.program) else {
      continue;
    };
    let start = open.len() as u32;
    let end = start + source.len() as u32;
    if index == 0 {
      let span = expression.span();
      if span.start != start || span.end != end {
        continue;
      }
      match expression {
        Expression::ClassExpression(_) => return Analysis::Class,
        Expression::FunctionExpression(function) => {
          return function_analysis(source, function, None)
        }
        Expression::ArrowFunctionExpression(arrow) => {
          let report = analyze_scope(Root::Arrow(arrow));
          return finish(source, None, arrow.r#async, true, report);
        }
        _ => continue,
      }
    }
    if let Some(method) = method_of(expression, start, end) {
      let rewritten = method_source(source, method, start, name);
      return function_analysis(source, method, Some(rewritten));
    }
  }
  Analysis::Unparsable(first_error.unwrap_or_else(|| "not the source of a function".to_string()))
}

/// Texts up to this many bytes are analysed on the calling thread: however
/// deeply they nest, the parser needs at most ~2 MiB of stack for them.
const INLINE_LIMIT: usize = 1024;
/// Stack per byte of a longer text, analysed on a thread of its own: the
/// parser takes up to ~2 KiB per nesting level (`(((…`: one byte a level).
const STACK_PER_BYTE: usize = 3 << 10;
const STACK_MIN: usize = 4 << 20;
const STACK_MAX: usize = 1 << 30;

/// [`analyze`], safe from running out of stack on deeply nested sources
/// (a long text is analysed on a thread with a stack to match) and from
/// parser panics (reported as unparsable).
pub fn analyze_guarded(source: &str, name: &str) -> Analysis {
  let run = || {
    std::panic::catch_unwind(|| analyze(source, name))
      .unwrap_or_else(|_| Analysis::Unparsable("the parser failed".to_string()))
  };
  if source.len() <= INLINE_LIMIT {
    return run();
  }
  let stack = source
    .len()
    .saturating_mul(STACK_PER_BYTE)
    .clamp(STACK_MIN, STACK_MAX);
  std::thread::scope(|scope| {
    let thread = std::thread::Builder::new()
      .name("portability".to_string())
      .stack_size(stack)
      .spawn_scoped(scope, run);
    match thread {
      Ok(thread) => thread
        .join()
        .unwrap_or_else(|_| Analysis::Unparsable("the parser failed".to_string())),
      Err(error) => Analysis::Unparsable(format!("no thread to parse it on ({error})")),
    }
  })
}

/// `text`: the function's source; `source`: its rewritten form, if any.
fn function_analysis(text: &str, function: &Function<'_>, source: Option<String>) -> Analysis {
  if function.generator {
    return Analysis::Generator;
  }
  let report = analyze_scope(Root::Function(function));
  finish(text, source, function.r#async, false, report)
}

fn finish(
  text: &str,
  source: Option<String>,
  is_async: bool,
  is_arrow: bool,
  report: scope::ScopeReport,
) -> Analysis {
  let (source, free) = provide_helpers(text, source, report.free);
  Analysis::Function(FunctionAnalysis {
    source,
    is_async,
    is_arrow,
    free,
    contextual: report.contextual,
  })
}

/// The expression returned by the wrapper function of `program`.
fn returned<'r, 'a>(program: &'r Program<'a>) -> Option<&'r Expression<'a>> {
  let [Statement::ExpressionStatement(statement)] = program.body.as_slice() else {
    return None;
  };
  let Expression::FunctionExpression(wrapper) = &statement.expression else {
    return None;
  };
  let body = wrapper.body.as_ref()?;
  match body.statements.first() {
    Some(Statement::ReturnStatement(ret)) => ret.argument.as_ref(),
    _ => None,
  }
}

/// The method of a one-member object literal or class body spanning `[start, end)`.
fn method_of<'r, 'a>(
  expression: &'r Expression<'a>,
  start: u32,
  end: u32,
) -> Option<&'r Function<'a>> {
  match expression {
    Expression::ObjectExpression(object) => {
      let [ObjectPropertyKind::ObjectProperty(property)] = object.properties.as_slice() else {
        return None;
      };
      if !(property.method || property.kind != PropertyKind::Init) {
        return None;
      }
      if property.span.start != start || property.span.end != end {
        return None;
      }
      match &property.value {
        Expression::FunctionExpression(function) => Some(function),
        _ => None,
      }
    }
    Expression::ClassExpression(class) => {
      let [ClassElement::MethodDefinition(method)] = class.body.body.as_slice() else {
        return None;
      };
      if method.kind == MethodDefinitionKind::Constructor
        || method.span.start != start
        || method.span.end != end
      {
        return None;
      }
      Some(&method.value)
    }
    _ => None,
  }
}

/// An expression equivalent to method `source` (`foo(x) {…}`, `async *[k]() {…}`,
/// `get x() {…}`, `#p() {…}`): the same parameters and body in an object
/// literal method named `name`, so it keeps its name, its async/generator
/// kind and stays a non-constructible method.
fn method_source(source: &str, method: &Function<'_>, offset: u32, name: &str) -> String {
  let key = json_quote(name);
  let prefix = match (method.r#async, method.generator) {
    (true, true) => "async *",
    (true, false) => "async ",
    (false, true) => "*",
    (false, false) => "",
  };
  let params_and_body = &source[(method.params.span.start - offset) as usize..];
  format!("({{ {prefix}{key}{params_and_body} }})[{key}]")
}

/// `JSON.stringify` of a string.
fn json_quote(value: &str) -> String {
  let mut out = String::with_capacity(value.len() + 2);
  out.push('"');
  for c in value.chars() {
    match c {
      '"' => out.push_str("\\\""),
      '\\' => out.push_str("\\\\"),
      '\u{8}' => out.push_str("\\b"),
      '\u{c}' => out.push_str("\\f"),
      '\n' => out.push_str("\\n"),
      '\r' => out.push_str("\\r"),
      '\t' => out.push_str("\\t"),
      c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
      c => out.push(c),
    }
  }
  out.push('"');
  out
}

/// Provides the known helpers among `free` to `source` (`None`: `text` as it
/// is): the result is still one expression, `((__name) => (source))(<helper>)`,
/// evaluating to the same function with the helper in scope.
fn provide_helpers(
  text: &str,
  source: Option<String>,
  free: Vec<String>,
) -> (Option<String>, Vec<String>) {
  let (provided, free): (Vec<String>, Vec<String>) = free
    .into_iter()
    .partition(|name| HELPERS.iter().any(|(helper, _)| helper == name));
  if provided.is_empty() {
    return (source, free);
  }
  let definitions: Vec<&str> = provided
    .iter()
    .filter_map(|name| {
      HELPERS
        .iter()
        .find(|(helper, _)| helper == name)
        .map(|(_, definition)| *definition)
    })
    .collect();
  let inner = source.as_deref().unwrap_or(text);
  let wrapped = format!(
    "(({}) => ({inner}))({})",
    provided.join(", "),
    definitions.join(", ")
  );
  (Some(wrapped), free)
}

#[cfg(test)]
mod tests;
