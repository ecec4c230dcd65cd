//! The names that declarations bind, gathered before a scope is visited
//! (hoisting): binding patterns, a function body's `var`s, a block's lexical
//! declarations.

use oxc_ast::ast::{
  BindingPattern, ForStatementInit, ForStatementLeft, Statement, VariableDeclaration,
};

/// Adds the names a binding pattern declares (`a`, `{ b: [c, ...d] = e }`).
pub fn pattern_names<'a>(pattern: &BindingPattern<'a>, out: &mut Vec<&'a str>) {
  match pattern {
    BindingPattern::BindingIdentifier(id) => out.push(id.name.as_str()),
    BindingPattern::ObjectPattern(object) => {
      for property in &object.properties {
        pattern_names(&property.value, out);
      }
      if let Some(rest) = &object.rest {
        pattern_names(&rest.argument, out);
      }
    }
    BindingPattern::ArrayPattern(array) => {
      for element in array.elements.iter().flatten() {
        pattern_names(element, out);
      }
      if let Some(rest) = &array.rest {
        pattern_names(&rest.argument, out);
      }
    }
    BindingPattern::AssignmentPattern(assignment) => pattern_names(&assignment.left, out),
  }
}

fn declaration_names<'a>(declaration: &VariableDeclaration<'a>, out: &mut Vec<&'a str>) {
  for declarator in &declaration.declarations {
    pattern_names(&declarator.id, out);
  }
}

/// Adds the `var` names a function body (or static block) hoists: every
/// `var` in its statements, nested blocks and loops included, nested
/// functions and classes excluded.
pub fn var_names<'a>(statements: &[Statement<'a>], out: &mut Vec<&'a str>) {
  for statement in statements {
    hoist_vars(statement, out);
  }
}

fn hoist_vars<'a>(statement: &Statement<'a>, out: &mut Vec<&'a str>) {
  match statement {
    Statement::VariableDeclaration(declaration) if declaration.kind.is_var() => {
      declaration_names(declaration, out);
    }
    Statement::ForStatement(for_statement) => {
      if let Some(ForStatementInit::VariableDeclaration(declaration)) = &for_statement.init {
        if declaration.kind.is_var() {
          declaration_names(declaration, out);
        }
      }
      hoist_vars(&for_statement.body, out);
    }
    Statement::ForInStatement(for_in) => {
      hoist_for_left(&for_in.left, out);
      hoist_vars(&for_in.body, out);
    }
    Statement::ForOfStatement(for_of) => {
      hoist_for_left(&for_of.left, out);
      hoist_vars(&for_of.body, out);
    }
    Statement::IfStatement(if_statement) => {
      hoist_vars(&if_statement.consequent, out);
      if let Some(alternate) = &if_statement.alternate {
        hoist_vars(alternate, out);
      }
    }
    Statement::WhileStatement(while_statement) => hoist_vars(&while_statement.body, out),
    Statement::DoWhileStatement(do_while) => hoist_vars(&do_while.body, out),
    Statement::LabeledStatement(labeled) => hoist_vars(&labeled.body, out),
    Statement::WithStatement(with) => hoist_vars(&with.body, out),
    Statement::BlockStatement(block) => var_names(&block.body, out),
    Statement::TryStatement(try_statement) => {
      var_names(&try_statement.block.body, out);
      if let Some(handler) = &try_statement.handler {
        var_names(&handler.body.body, out);
      }
      if let Some(finalizer) = &try_statement.finalizer {
        var_names(&finalizer.body, out);
      }
    }
    Statement::SwitchStatement(switch) => {
      for case in &switch.cases {
        var_names(&case.consequent, out);
      }
    }
    _ => {}
  }
}

fn hoist_for_left<'a>(left: &ForStatementLeft<'a>, out: &mut Vec<&'a str>) {
  if let ForStatementLeft::VariableDeclaration(declaration) = left {
    if declaration.kind.is_var() {
      declaration_names(declaration, out);
    }
  }
}

/// Adds the names the statements of one block declare for that block:
/// `let`, `const`, `using`, classes and functions (block-scoped, as in strict
/// code: a nested block's function is not hoisted out of it).
pub fn lexical_names<'a>(statements: &[Statement<'a>], out: &mut Vec<&'a str>) {
  for statement in statements {
    let mut statement = statement;
    while let Statement::LabeledStatement(labeled) = statement {
      statement = &labeled.body;
    }
    match statement {
      Statement::VariableDeclaration(declaration) if !declaration.kind.is_var() => {
        declaration_names(declaration, out);
      }
      Statement::FunctionDeclaration(function) => {
        if let Some(id) = &function.id {
          out.push(id.name.as_str());
        }
      }
      Statement::ClassDeclaration(class) => {
        if let Some(id) = &class.id {
          out.push(id.name.as_str());
        }
      }
      _ => {}
    }
  }
}
