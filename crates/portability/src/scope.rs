//! What a function uses from outside itself: free identifiers and uses of
//! its caller's context. Scopes follow strict-mode rules (a function declared
//! in a nested block is bound in that block only), as the function may be
//! strict code whatever its text says.

use std::collections::HashMap;

use oxc_ast::ast::{
  ArrowFunctionBody, ArrowFunctionExpression, BlockStatement, CatchClause, Class, ClassElement,
  ForInStatement, ForOfStatement, ForStatement, ForStatementInit, ForStatementLeft, Function,
  IdentifierReference, ImportMeta, NewTarget, PrivateIdentifier, PropertyKey, Statement, Super,
  SwitchStatement, ThisExpression,
};
use oxc_ast_visit::Visit;
use oxc_syntax::scope::ScopeFlags;

use crate::declarations::{lexical_names, pattern_names, var_names};

/// A use of the caller's context that can't travel to a thread (one bit each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contextual {
  ImportMeta = 1,
  NewTarget = 2,
  Super = 4,
  This = 8,
}

impl Contextual {
  /// In the order a JavaScript sort of the names gives.
  pub const ALL: [Contextual; 4] = [Self::ImportMeta, Self::NewTarget, Self::Super, Self::This];

  /// The name the messages and `NotPortableError.captured` use.
  pub fn name(self) -> &'static str {
    match self {
      Self::ImportMeta => "import.meta",
      Self::NewTarget => "new.target",
      Self::Super => "super",
      Self::This => "this",
    }
  }
}

/// What a function uses from outside itself.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ScopeReport {
  /// Identifiers it doesn't bind (private names as `#x`), sorted as JavaScript
  /// sorts strings, without duplicates; globals included.
  pub free: Vec<String>,
  /// `this`, `super`, `new.target`, `import.meta` at its own level, sorted.
  pub contextual: Vec<Contextual>,
}

/// Sorts as `Array.prototype.sort` does: by UTF-16 code units.
pub fn js_sort(names: &mut Vec<String>) {
  names.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
  names.dedup();
}

struct Analyzer<'a> {
  /// How many enclosing scopes bind each name.
  bound: HashMap<&'a str, u32>,
  /// The names bound by the scopes entered, innermost last.
  declared: Vec<&'a str>,
  /// The private names of the enclosing classes, one list per class.
  private_names: Vec<Vec<&'a str>>,
  free: Vec<String>,
  contextual: u8,
  /// Whether `this`/`super`/`new.target` here are the analysed function's own:
  /// true at its top level and in arrow functions nested there, false inside
  /// nested non-arrow functions, methods, field initialisers and static
  /// blocks, which have contexts of their own.
  own_context: bool,
  root_is_arrow: bool,
}

impl<'a> Analyzer<'a> {
  /// Enters a scope binding `names`; returns the mark to leave it with.
  fn enter(&mut self, names: Vec<&'a str>) -> usize {
    let mark = self.declared.len();
    for name in names {
      *self.bound.entry(name).or_insert(0) += 1;
      self.declared.push(name);
    }
    mark
  }

  fn leave(&mut self, mark: usize) {
    for name in self.declared.drain(mark..) {
      if let Some(count) = self.bound.get_mut(name) {
        *count -= 1;
      }
    }
  }

  fn reference(&mut self, name: &str) {
    if self.bound.get(name).is_none_or(|count| *count == 0) {
      self.free.push(name.to_string());
    }
  }

  fn use_context(&mut self, use_: Contextual) {
    self.contextual |= use_ as u8;
  }

  /// Visits `statements` as a block: its lexical names (and a function
  /// body's `var`s) are bound in a scope of its own.
  fn block(&mut self, statements: &oxc_allocator::Vec<'a, Statement<'a>>, function_body: bool) {
    let mut names = Vec::new();
    if function_body {
      var_names(statements, &mut names);
    }
    lexical_names(statements, &mut names);
    let mark = self.enter(names);
    self.visit_statements(statements);
    self.leave(mark);
  }

  /// Visits a non-arrow function: own name (of an expression), parameters
  /// with `arguments`, then a body scope. `root`: the analysed function.
  fn function(&mut self, function: &Function<'a>, root: bool) {
    let outer = self.declared.len();
    if function.is_expression() {
      if let Some(id) = &function.id {
        self.enter(vec![id.name.as_str()]);
      }
    }
    let mut params = vec!["arguments"];
    for item in &function.params.items {
      pattern_names(&item.pattern, &mut params);
    }
    if let Some(rest) = &function.params.rest {
      pattern_names(&rest.rest.argument, &mut params);
    }
    self.enter(params);
    let own = self.own_context;
    self.own_context = root && own;
    self.visit_formal_parameters(&function.params);
    if let Some(body) = &function.body {
      self.block(&body.statements, true);
    }
    self.own_context = own;
    self.leave(outer);
  }

  fn arrow(&mut self, arrow: &ArrowFunctionExpression<'a>) {
    let mut params = Vec::new();
    for item in &arrow.params.items {
      pattern_names(&item.pattern, &mut params);
    }
    if let Some(rest) = &arrow.params.rest {
      pattern_names(&rest.rest.argument, &mut params);
    }
    let mark = self.enter(params);
    self.visit_formal_parameters(&arrow.params);
    match &arrow.body {
      ArrowFunctionBody::FunctionBody(body) => self.block(&body.statements, true),
      body => self.visit_expression(body.to_expression()),
    }
    self.leave(mark);
  }

  /// A class member's computed key, evaluated in the class's surroundings.
  fn computed_key(&mut self, key: &PropertyKey<'a>, computed: bool) {
    if computed {
      self.visit_property_key(key);
    }
  }

  /// A field initialiser: a context of its own, in a scope of its own.
  fn initializer(&mut self, value: Option<&oxc_ast::ast::Expression<'a>>) {
    if let Some(value) = value {
      let own = self.own_context;
      self.own_context = false;
      self.visit_expression(value);
      self.own_context = own;
    }
  }
}

impl<'a> Visit<'a> for Analyzer<'a> {
  fn visit_identifier_reference(&mut self, it: &IdentifierReference<'a>) {
    self.reference(it.name.as_str());
  }

  /// `o.#x` and `#x in o` (class member keys are not visited as references).
  fn visit_private_identifier(&mut self, it: &PrivateIdentifier<'a>) {
    let name = it.name.as_str();
    if !self.private_names.iter().any(|names| names.contains(&name)) {
      self.free.push(format!("#{name}"));
    }
  }

  fn visit_this_expression(&mut self, _it: &ThisExpression) {
    if self.own_context {
      self.use_context(Contextual::This);
    }
  }

  fn visit_super(&mut self, _it: &Super) {
    if self.own_context {
      self.use_context(Contextual::Super);
    }
  }

  fn visit_import_meta(&mut self, _it: &ImportMeta) {
    self.use_context(Contextual::ImportMeta);
  }

  /// A non-arrow function's `new.target` is its own.
  fn visit_new_target(&mut self, _it: &NewTarget) {
    if self.own_context && self.root_is_arrow {
      self.use_context(Contextual::NewTarget);
    }
  }

  fn visit_function(&mut self, it: &Function<'a>, _flags: ScopeFlags) {
    self.function(it, false);
  }

  fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
    self.arrow(it);
  }

  /// A class: its name, heritage, private names and elements.
  fn visit_class(&mut self, it: &Class<'a>) {
    let mark = self.enter(it.id.iter().map(|id| id.name.as_str()).collect());
    if let Some(heritage) = &it.heritage {
      self.visit_expression(&heritage.expression);
    }
    let private = it
      .body
      .body
      .iter()
      .filter_map(|element| match element {
        ClassElement::MethodDefinition(method) => Some(&method.key),
        ClassElement::PropertyDefinition(property) => Some(&property.key),
        ClassElement::AccessorProperty(accessor) => Some(&accessor.key),
        _ => None,
      })
      .filter_map(|key| match key {
        PropertyKey::PrivateIdentifier(id) => Some(id.name.as_str()),
        _ => None,
      })
      .collect();
    self.private_names.push(private);
    for element in &it.body.body {
      match element {
        ClassElement::StaticBlock(block) => {
          let own = self.own_context;
          self.own_context = false;
          self.block(&block.body, true);
          self.own_context = own;
        }
        ClassElement::MethodDefinition(method) => {
          self.computed_key(&method.key, method.computed);
          self.function(&method.value, false);
        }
        ClassElement::PropertyDefinition(property) => {
          self.computed_key(&property.key, property.computed);
          self.initializer(property.value.as_ref());
        }
        ClassElement::AccessorProperty(accessor) => {
          self.computed_key(&accessor.key, accessor.computed);
          self.initializer(accessor.value.as_ref());
        }
        ClassElement::TSIndexSignature(_) => {}
      }
    }
    self.private_names.pop();
    self.leave(mark);
  }

  fn visit_block_statement(&mut self, it: &BlockStatement<'a>) {
    self.block(&it.body, false);
  }

  /// The cases share one block scope; the discriminant is outside it.
  fn visit_switch_statement(&mut self, it: &SwitchStatement<'a>) {
    self.visit_expression(&it.discriminant);
    let mut names = Vec::new();
    for case in &it.cases {
      lexical_names(&case.consequent, &mut names);
    }
    let mark = self.enter(names);
    self.visit_switch_cases(&it.cases);
    self.leave(mark);
  }

  fn visit_for_statement(&mut self, it: &ForStatement<'a>) {
    let mut names = Vec::new();
    if let Some(ForStatementInit::VariableDeclaration(declaration)) = &it.init {
      if !declaration.kind.is_var() {
        for declarator in &declaration.declarations {
          pattern_names(&declarator.id, &mut names);
        }
      }
    }
    let mark = self.enter(names);
    if let Some(init) = &it.init {
      self.visit_for_statement_init(init);
    }
    if let Some(test) = &it.test {
      self.visit_expression(test);
    }
    if let Some(update) = &it.update {
      self.visit_expression(update);
    }
    self.visit_statement(&it.body);
    self.leave(mark);
  }

  fn visit_for_in_statement(&mut self, it: &ForInStatement<'a>) {
    let mark = self.enter(loop_names(&it.left));
    self.visit_expression(&it.right);
    self.visit_for_statement_left(&it.left);
    self.visit_statement(&it.body);
    self.leave(mark);
  }

  fn visit_for_of_statement(&mut self, it: &ForOfStatement<'a>) {
    let mark = self.enter(loop_names(&it.left));
    self.visit_expression(&it.right);
    self.visit_for_statement_left(&it.left);
    self.visit_statement(&it.body);
    self.leave(mark);
  }

  fn visit_catch_clause(&mut self, it: &CatchClause<'a>) {
    let mut names = Vec::new();
    if let Some(param) = &it.param {
      pattern_names(&param.pattern, &mut names);
    }
    let mark = self.enter(names);
    if let Some(param) = &it.param {
      self.visit_catch_parameter(param);
    }
    self.visit_block_statement(&it.body);
    self.leave(mark);
  }
}

/// The names a `for (let … of/in …)` head binds in the loop.
fn loop_names<'a>(left: &ForStatementLeft<'a>) -> Vec<&'a str> {
  let mut names = Vec::new();
  if let ForStatementLeft::VariableDeclaration(declaration) = left {
    if !declaration.kind.is_var() {
      for declarator in &declaration.declarations {
        pattern_names(&declarator.id, &mut names);
      }
    }
  }
  names
}

/// The analysed function: a function expression, a method's function, or an arrow.
pub enum Root<'r, 'a> {
  Function(&'r Function<'a>),
  Arrow(&'r ArrowFunctionExpression<'a>),
}

/// Finds what `root` uses from outside itself: identifiers it doesn't bind
/// (globals included: the caller filters them), and uses of its caller's
/// `this`/`super`/`new.target`/`import.meta`. A function expression's own
/// name is bound inside it; a method's key is not.
pub fn analyze_scope(root: Root<'_, '_>) -> ScopeReport {
  let mut analyzer = Analyzer {
    bound: HashMap::new(),
    declared: Vec::new(),
    private_names: Vec::new(),
    free: Vec::new(),
    contextual: 0,
    own_context: true,
    root_is_arrow: matches!(root, Root::Arrow(_)),
  };
  match root {
    Root::Function(function) => analyzer.function(function, true),
    Root::Arrow(arrow) => analyzer.arrow(arrow),
  }
  let mut free = analyzer.free;
  js_sort(&mut free);
  let contextual = Contextual::ALL
    .into_iter()
    .filter(|use_| analyzer.contextual & (*use_ as u8) != 0)
    .collect();
  ScopeReport { free, contextual }
}
