import type { Pattern, Statement } from "acorn";

/** Adds the names a binding pattern declares (`a`, `{ b: [c, ...d] = e }`). */
export function patternNames(pattern: Pattern, out: Set<string>): void {
  switch (pattern.type) {
    case "Identifier":
      out.add(pattern.name);
      return;
    case "ObjectPattern":
      for (const property of pattern.properties) {
        patternNames(property.type === "RestElement" ? property.argument : property.value, out);
      }
      return;
    case "ArrayPattern":
      for (const element of pattern.elements) if (element) patternNames(element, out);
      return;
    case "RestElement":
      patternNames(pattern.argument, out);
      return;
    case "AssignmentPattern":
      patternNames(pattern.left, out);
      return;
    default:
      return; // MemberExpression: an assignment target, never a declaration
  }
}

/**
 * Adds the `var` names a function body (or static block) hoists: every `var`
 * in its statements, nested blocks and loops included, nested functions and
 * classes excluded.
 */
export function varNames(statements: readonly Statement[], out: Set<string>): void {
  for (const statement of statements) hoistVars(statement, out);
}

function hoistVars(statement: Statement | null | undefined, out: Set<string>): void {
  if (!statement) return;
  switch (statement.type) {
    case "VariableDeclaration":
      if (statement.kind === "var") {
        for (const declarator of statement.declarations) patternNames(declarator.id, out);
      }
      return;
    case "ForStatement":
      if (statement.init?.type === "VariableDeclaration") hoistVars(statement.init, out);
      hoistVars(statement.body, out);
      return;
    case "ForInStatement":
    case "ForOfStatement":
      if (statement.left.type === "VariableDeclaration") hoistVars(statement.left, out);
      hoistVars(statement.body, out);
      return;
    case "IfStatement":
      hoistVars(statement.consequent, out);
      hoistVars(statement.alternate, out);
      return;
    case "WhileStatement":
    case "DoWhileStatement":
    case "LabeledStatement":
    case "WithStatement":
      hoistVars(statement.body, out);
      return;
    case "BlockStatement":
      varNames(statement.body, out);
      return;
    case "TryStatement":
      hoistVars(statement.block, out);
      hoistVars(statement.handler?.body, out);
      hoistVars(statement.finalizer, out);
      return;
    case "SwitchStatement":
      for (const switchCase of statement.cases) varNames(switchCase.consequent, out);
      return;
    default:
      return;
  }
}

/**
 * Adds the names the statements of one block declare for that block:
 * `let`, `const`, `using`, classes and functions (block-scoped, as in strict
 * code: a nested block's function is not hoisted out of it).
 */
export function lexicalNames(statements: readonly Statement[], out: Set<string>): void {
  for (let statement of statements) {
    while (statement.type === "LabeledStatement") statement = statement.body;
    switch (statement.type) {
      case "VariableDeclaration":
        if (statement.kind !== "var") {
          for (const declarator of statement.declarations) patternNames(declarator.id, out);
        }
        break;
      case "FunctionDeclaration":
      case "ClassDeclaration":
        out.add(statement.id.name);
        break;
      default:
        break;
    }
  }
}
