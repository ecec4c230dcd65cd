//! The rules of the check, on sources as `Function.prototype.toString` gives them.

use crate::{analyze, analyze_guarded, Analysis, Contextual, FunctionAnalysis};

fn function(source: &str, name: &str) -> FunctionAnalysis {
  match analyze(source, name) {
    Analysis::Function(analysis) => analysis,
    other => panic!("{source}: {other:?}"),
  }
}

/// The free names of `source` (globals included: the caller filters them).
fn free(source: &str) -> Vec<String> {
  function(source, "").free
}

fn contextual(source: &str) -> Vec<&'static str> {
  function(source, "")
    .contextual
    .into_iter()
    .map(Contextual::name)
    .collect()
}

#[track_caller]
fn assert_free(source: &str, expected: &[&str]) {
  assert_eq!(free(source), expected, "{source}");
}

#[track_caller]
fn assert_closed(source: &str) {
  let analysis = function(source, "");
  assert!(
    analysis.free.is_empty() && analysis.contextual.is_empty(),
    "{source}: {analysis:?}"
  );
}

// ------------------------------------------------------------ shapes

#[test]
fn an_arrow_is_its_own_source() {
  let analysis = function("(a, b) => Math.max(a, b) * 2", "");
  assert_eq!(analysis.source, None);
  assert!(analysis.is_arrow && !analysis.is_async);
  assert_eq!(analysis.free, ["Math"]);
}

#[test]
fn async_functions_arrows_and_methods() {
  assert!(function("async (x) => x", "").is_async);
  assert!(function("async function work(x) { return x }", "work").is_async);
  assert!(function("async m(x) { return x }", "m").is_async);
  assert!(!function("function plain() {}", "plain").is_async);
  assert!(!function("m() {}", "m").is_async);
  assert!(!function("async() { return 2 }", "async").is_async);
}

#[test]
fn method_shorthand_becomes_an_expression() {
  let cases = [
    (
      "triple(x) { return x * 3; }",
      "triple",
      r#"({ "triple"(x) { return x * 3; } })["triple"]"#,
    ),
    (
      "async twice(x) { return 2 * x }",
      "twice",
      r#"({ async "twice"(x) { return 2 * x } })["twice"]"#,
    ),
    (
      "get answer() { return 42 }",
      "get answer",
      r#"({ "get answer"() { return 42 } })["get answer"]"#,
    ),
    (
      "set value(v) { return v }",
      "set value",
      r#"({ "set value"(v) { return v } })["set value"]"#,
    ),
    (
      "[Symbol.iterator]() { return [1].values() }",
      "[Symbol.iterator]",
      r#"({ "[Symbol.iterator]"() { return [1].values() } })["[Symbol.iterator]"]"#,
    ),
    (
      r#""a b"(x) { return x + 1 }"#,
      "a b",
      r#"({ "a b"(x) { return x + 1 } })["a b"]"#,
    ),
    (
      "7(x) { return x + 7 }",
      "7",
      r#"({ "7"(x) { return x + 7 } })["7"]"#,
    ),
    (
      "#secret(x) { return x * 5 }",
      "#secret",
      r##"({ "#secret"(x) { return x * 5 } })["#secret"]"##,
    ),
    (
      "static sum(a, b) { return a + b }",
      "sum",
      r#"({ "sum"(a, b) { return a + b } })["sum"]"#,
    ),
    (
      "async() { return 2 }",
      "async",
      r#"({ "async"() { return 2 } })["async"]"#,
    ),
    (
      "get() { return 3 }",
      "get",
      r#"({ "get"() { return 3 } })["get"]"#,
    ),
    (
      "m(é) { return 'ü' }",
      "m\"\n",
      "({ \"m\\\"\\n\"(é) { return 'ü' } })[\"m\\\"\\n\"]",
    ),
  ];
  for (source, name, expected) in cases {
    assert_eq!(
      function(source, name).source.as_deref(),
      Some(expected),
      "{source}"
    );
  }
  // `constructor` is an object method's name too.
  assert!(function("constructor() {}", "constructor").source.is_some());
  // A method named `function` reads as an anonymous function expression.
  assert_eq!(function("function() { return 1 }", "function").source, None);
}

#[test]
fn classes_generators_and_syntax_errors() {
  assert_eq!(analyze("class Job {}", "Job"), Analysis::Class);
  assert_eq!(analyze("class extends Array {}", ""), Analysis::Class);
  for source in [
    "function* gen() { yield 1 }",
    "async function* agen() { yield 1 }",
    "*m() {}",
    "async *m() {}",
  ] {
    assert_eq!(analyze(source, "m"), Analysis::Generator, "{source}");
  }
  for source in ["", "x +", "1 + 2", "foo", "a => a; b", "x = 1"] {
    assert!(
      matches!(analyze(source, ""), Analysis::Unparsable(_)),
      "{source}: {:?}",
      analyze(source, "")
    );
  }
  let Analysis::Unparsable(message) = analyze("(x) => {", "") else {
    panic!()
  };
  assert!(!message.is_empty());
}

#[test]
fn sloppy_syntax_and_import_meta_parse() {
  assert_free(
    "function (o) { with (o) { return 010 + arguments.length } }",
    &[],
  );
  assert_eq!(contextual("() => import.meta.url"), ["import.meta"]);
  assert_free(
    "function () { var await = 1, yield = 2; return await + yield }",
    &[],
  );
}

// ------------------------------------------------------------ bindings

#[test]
fn own_name_of_a_function_expression_is_bound() {
  assert_closed("function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2) }");
  assert_closed("function anonymous(a,b\n) {\nreturn a + b\n}");
  // A method's key is not in scope inside it; an arrow has no own name.
  assert_free(
    "fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2) }",
    &["fib"],
  );
  assert_free("(n) => (n <= 1 ? 1 : n * fact(n - 1))", &["fact"]);
}

#[test]
fn arguments_belongs_to_non_arrow_functions() {
  assert_closed("function () { const f = () => arguments.length; return f() + arguments[0] }");
  assert_free("() => arguments[0]", &["arguments"]);
  assert_free("() => function () { return arguments }", &[]);
}

#[test]
fn parameters_shadow_and_defaults_see_earlier_parameters() {
  assert_closed("(factor, helper) => helper(factor)");
  assert_closed("function ({ a, b = a * 2, ...rest }, [c, , d = c] = [1], ...more) { return [a, b, c, d, rest.z, more] }");
  assert_free("(a = factor) => a", &["factor"]);
  assert_free("({ a = factor }) => a", &["factor"]);
  assert_free("([x = helper()]) => x", &["helper"]);
  assert_free("({ [key]: v }) => v", &["key"]);
}

#[test]
fn a_default_parameter_cannot_see_the_body() {
  assert_free("function (a = x) { var x = 1; return a }", &["x"]);
  assert_free("(a = y) => { let y; return a }", &["y"]);
}

#[test]
fn var_is_hoisted_out_of_every_statement() {
  assert_closed(
    "function () { x = 2; if (true) { for (var i = 0; i < 2; i++) { var x = x + i } } return x }",
  );
  assert_closed(
    "function (o) {
      while (!a) { var a = 1 }
      do { var b = 2 } while (false);
      lbl: { var c = 3 }
      with (o) { var d = 4 }
      try { var e = 5 } catch (err) { var f = 6 } finally { var g = 7 }
      switch (o.k) { case 1: var h = 8 }
      for (var k in o) { var m = 9 }
      for (var n of o) ;
      if (o) var p = 1; else var q = 2;
      return [a, b, c, d, e, f, g, h, k, m, n, p, q];
    }",
  );
  // ...but not out of nested functions.
  assert_free(
    "() => { (function () { var inner }); return inner }",
    &["inner"],
  );
  assert_free("() => { class K { static { var s } } return s }", &["s"]);
}

#[test]
fn lexical_declarations_are_block_scoped() {
  assert_closed("function () { return twice(4); function twice(n) { return 2 * n } }");
  assert_closed(
    "(n) => { let out = 0; { const n2 = n * 2; class Box {} out += new Box(n2) } return out }",
  );
  assert_free("() => { { let y = 1 } return y }", &["y"]);
  assert_free("() => { for (let i = 0; i < 1; i++); return i }", &["i"]);
  assert_free("() => { try { throw 1 } catch (e) {} return e }", &["e"]);
  assert_free("() => { { class K {} } return K }", &["K"]);
  assert_free("() => { { using r = null } return r }", &["r"]);
  // Strict semantics: no Annex B hoisting of a block's function.
  assert_free(
    "function () { { function inner() { return 1 } } return inner() }",
    &["inner"],
  );
  // A labelled declaration still declares.
  assert_closed("() => { l: function f() {} return f }");
}

#[test]
fn switch_cases_share_one_scope() {
  assert_closed("(n) => { switch (n) { case 1: let a = 1; return a; default: a = 2; return 0 } }");
  assert_free("(n) => { switch (a) { case 1: let a = 1 } }", &["a"]);
}

#[test]
fn loops_bind_their_declarations() {
  assert_closed(
    "(o) => { const seen = []; for (let i = 0; i < 2; i++) seen.push(i); for (const k in o) seen.push(k);
      for (const [a, b] of [[1, 2]]) seen.push(a + b); for (var v of [7]) ; return seen.join() + v }",
  );
  assert_free("() => { for (item of [1]) ; }", &["item"]);
  assert_free("() => { for (o.x in {}) ; }", &["o"]);
}

#[test]
fn catch_parameters_are_bound_in_the_catch_block() {
  assert_free(
    r#"() => {
      try { throw new Error("boom") } catch (e) { var m = e.message }
      try { throw new Error("bang") } catch ({ message, [m]: n = message }) { m += message + n }
      try { JSON.parse("{") } catch { m += "!" }
      return m;
    }"#,
    &["Error", "JSON"],
  );
}

#[test]
fn classes_bind_their_names() {
  assert_closed(
    "() => { class Node { static make() { return new Node() } }
      const Other = class Inner { clone() { return new Inner() } }; return [Node.make(), new Other().clone()] }",
  );
  assert_free("() => class extends Base {}", &["Base"]);
  assert_free(
    "() => class { x = defaultX; static { init() } [key]() {} accessor [k2] = v }",
    &["defaultX", "init", "k2", "key", "v"],
  );
  assert_free("() => { class A extends A {} }", &[]);
}

#[test]
fn names_that_are_not_references() {
  assert_closed("() => { factor: for (;;) { helper: for (;;) { break factor } continue helper } }");
  assert_free(
    "() => { factor: for (;;) break factor; return factor }",
    &["factor"],
  );
  assert_free(
    "(o) => ({ factor: o.helper, counter() { return 1 }, get key() { return 2 } }).factor",
    &[],
  );
  assert_free("(o) => o?.a?.[b] ?? c.d", &["b", "c"]);
  assert_free("() => new.target", &[]);
}

#[test]
fn references_of_every_kind() {
  assert_free("() => ({ factor })", &["factor"]);
  assert_free("(a, o) => ({ a, ...o, ...rest })", &["rest"]);
  assert_free("() => `${factor}`", &["factor"]);
  assert_free("() => tag`x${1}`", &["tag"]);
  assert_free("() => typeof undeclaredThing", &["undeclaredThing"]);
  assert_free("() => { counter++ }", &["counter"]);
  assert_free("() => { [total, other.x] = [1, 2] }", &["other", "total"]);
  assert_free(
    "() => { ({ z = value, w: [q] } = {}) }",
    &["q", "value", "z"],
  );
  assert_free("() => delete gone", &["gone"]);
  assert_free(
    "async (p) => { const os = require('os'); return await import(p) }",
    &["require"],
  );
  assert_free(
    "() => zeta + alpha + zeta + mid(alpha)",
    &["alpha", "mid", "zeta"],
  );
  assert_free("(xs) => xs.map((x) => x * factor)", &["factor"]);
  assert_free(
    "function () { return function () { return () => outerName } }",
    &["outerName"],
  );
}

#[test]
fn free_names_sort_as_javascript_sorts() {
  // U+FF21 (one UTF-16 unit) sorts after U+1D400 (a surrogate pair) in JavaScript.
  assert_free(
    "() => [\u{FF21}, \u{1D400}, b]",
    &["b", "\u{1D400}", "\u{FF21}"],
  );
}

// ------------------------------------------------------------ private names

#[test]
fn private_names_of_enclosing_classes() {
  assert_closed(
    "() => { class C { #x = 4; static has(o) { return #x in o } get() { return this.#x } } }",
  );
  assert_closed("() => { class C { #m() {} static { (o) => o.#m() } } }");
  assert_closed("() => { class C { accessor #a = 1; f() { class D { g(o) { return o.#a } } } } }");
  assert_free("(o) => o.#x", &["#x"]);
  assert_free("(o) => #x in o", &["#x"]);
  assert_free("() => { class C { #y; } return (o) => o.#y }", &["#y"]);
  assert_free("peek(c) { return c.#secret }", &["#secret"]);
}

// ------------------------------------------------------------ context

#[test]
fn this_and_super_at_the_function_own_level() {
  assert_eq!(contextual("function () { return this.n }"), ["this"]);
  assert_eq!(contextual("() => this"), ["this"]);
  assert_eq!(
    contextual("function () { return () => () => this.x }"),
    ["this"]
  );
  assert_eq!(contextual("inc() { return this.n + 1 }"), ["this"]);
  assert_eq!(contextual("m() { return super.toString() }"), ["super"]);
  assert_eq!(
    contextual("get g() { return () => super.valueOf() }"),
    ["super"]
  );
  assert_eq!(
    contextual("() => class extends this.Base { [this.k]() {} }"),
    ["this"]
  );
  assert_eq!(
    contextual("function () { return this.x + new.target + import.meta + super.y }"),
    ["import.meta", "super", "this"]
  );
}

#[test]
fn nested_contexts_are_their_own() {
  assert_closed(
    r#"() => {
      const obj = { v: 1, get() { return this.v }, nested: function () { return this.v } };
      class Base { hi() { return "hi" } }
      class Child extends Base {
        f = this.hi(); static s = this.name; hi() { return super.hi() + "!" } static { this.t = 1 }
        g = () => this; static { () => super.x }
      }
      return obj.get() + obj.nested() + new Child().f + Child.s + Child.t;
    }"#,
  );
}

#[test]
fn new_target_belongs_to_the_nearest_non_arrow_function() {
  assert_closed("function () { return new.target === void 0 }");
  assert_eq!(contextual("() => new.target"), ["new.target"]);
  assert_eq!(contextual("() => () => new.target"), ["new.target"]);
  assert_eq!(
    contextual("() => function () { return new.target }"),
    Vec::<&str>::new()
  );
  assert_eq!(
    contextual("function () { return () => new.target }"),
    Vec::<&str>::new()
  );
}

#[test]
fn import_meta_counts_anywhere() {
  assert_eq!(
    contextual("() => function () { return import.meta }"),
    ["import.meta"]
  );
  assert_eq!(
    contextual("m() { class K { x = import.meta } }"),
    ["import.meta"]
  );
}

// ------------------------------------------------------------ helpers

#[test]
fn name_helper_is_provided() {
  let source = r#"n=>{function inner(x){return x*2}__name(inner,"inner");const g=__name(()=>1,"g");return inner(n)+g()}"#;
  let analysis = function(source, "");
  assert!(analysis.free.is_empty(), "{:?}", analysis.free);
  assert_eq!(
    analysis.source.as_deref(),
    Some(
      format!(
        r#"((__name) => ({source}))((target, value) => Object.defineProperty(target, "name", {{ value, configurable: true }}))"#
      )
      .as_str()
    )
  );
  assert_free(
    r#"()=>{const g=__name(()=>factor,"g");return g()}"#,
    &["factor"],
  );
  // A method's rewritten source is wrapped in turn.
  let method = function(r#"m(){return __name(()=>1,"f")}"#, "m")
    .source
    .unwrap();
  assert!(
    method.starts_with(r#"((__name) => (({ "m"(){return"#),
    "{method}"
  );
}

// ------------------------------------------------------------ robustness

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
  // Deeper than V8 itself compiles, on the test thread's 2 MiB stack.
  let deep = [
    format!("() => {}1{}", "(".repeat(100_000), ")".repeat(100_000)),
    format!("() => {}", "[".repeat(200_000)),
    format!("() => 1{}", "+x".repeat(500_000)),
    format!("(f) => f{}", "()".repeat(500_000)),
    format!("() => {}1", "() => ".repeat(50_000)),
  ];
  for source in &deep {
    match analyze_guarded(source, "") {
      Analysis::Function(analysis) => assert!(analysis.free.len() <= 1),
      Analysis::Unparsable(message) => assert!(!message.is_empty()),
      other => panic!("{other:?}"),
    }
  }
  let Analysis::Function(chain) = analyze_guarded(&deep[2], "") else {
    panic!()
  };
  assert_eq!(chain.free, ["x"]);
}

#[test]
fn short_and_long_texts_agree() {
  let body = "x + 1;".repeat(400);
  let long = format!("(x) => {{ {body} return helper(x) }}");
  assert!(long.len() > 1024);
  assert_eq!(analyze_guarded(&long, ""), analyze(&long, ""));
  assert_eq!(
    analyze_guarded("(x) => helper(x)", ""),
    analyze("(x) => helper(x)", "")
  );
}
