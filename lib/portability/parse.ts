import { parse, type Expression, type Options, type Program } from "acorn";
import type { FunctionNode } from "./scope.js";

/** How a function's source text reads. */
export type SourceShape =
  | {
      /** `function f() {}` / arrow: the text is an expression. A method: it is not. */
      readonly kind: "expression" | "method";
      readonly node: FunctionNode;
      /** Text that evaluates, as an expression, to an equivalent function. */
      readonly source: string;
    }
  | { readonly kind: "class" };

const OPTIONS: Options = {
  ecmaVersion: "latest",
  sourceType: "script",
  // The function is parsed on its own, out of the context that made these
  // legal; the analysis reports them rather than the parser.
  allowSuperOutsideMethod: true,
  allowImportExportEverywhere: true,
  checkPrivateFields: false,
};

/** Wrappers tried in turn: as an expression, as an object method, as a class method. */
const WRAPPERS = [
  ["(function(){return(", "\n)})"],
  ["(function(){return({", "\n})})"],
  ["(function(){return(class{", "\n})})"],
] as const;

/** The expression returned by the wrapper function of `program`. */
function wrapped(program: Program): Expression | null {
  const statement = program.body[0];
  if (program.body.length !== 1 || statement?.type !== "ExpressionStatement") return null;
  const wrapper = statement.expression;
  if (wrapper.type !== "FunctionExpression") return null;
  const ret = wrapper.body.body[0];
  return ret?.type === "ReturnStatement" && ret.argument ? ret.argument : null;
}

/** The method of a one-member object literal or class body spanning `[start, end)`. */
function methodOf(expression: Expression, start: number, end: number) {
  if (expression.type === "ObjectExpression") {
    const property = expression.properties[0];
    if (expression.properties.length !== 1 || property?.type !== "Property") return null;
    if (!(property.method || property.kind !== "init")) return null;
    if (property.start !== start || property.end !== end) return null;
    return property.value.type === "FunctionExpression" ? property.value : null;
  }
  if (expression.type === "ClassExpression") {
    const member = expression.body.body[0];
    if (expression.body.body.length !== 1 || member?.type !== "MethodDefinition") return null;
    if (member.kind === "constructor" || member.start !== start || member.end !== end) return null;
    return member.value;
  }
  return null;
}

/**
 * An expression equivalent to method `text` (`foo(x) {…}`, `async *[k]() {…}`,
 * `get x() {…}`, `#p() {…}`): the same parameters and body in an object
 * literal method named `name`, so it keeps its name, its async/generator
 * kind and stays a non-constructible method.
 */
function methodSource(text: string, node: FunctionNode, offset: number, name: string): string {
  const key = JSON.stringify(name);
  const prefix = `${node.async ? "async " : ""}${node.generator ? "*" : ""}`;
  const paramsAndBody = text.slice(node.start - offset);
  return `({ ${prefix}${key}${paramsAndBody} })[${key}]`;
}

/**
 * Parses `text`, the source of a function named `name`, as the expression it
 * usually is, else as an object or class method. Throws acorn's SyntaxError
 * when none of these parses.
 */
export function parseFunctionSource(text: string, name: string): SourceShape {
  let firstError: unknown;
  for (const [index, [open, close]] of WRAPPERS.entries()) {
    let program: Program;
    try {
      program = parse(open + text + close, OPTIONS);
    } catch (error) {
      firstError ??= error;
      continue;
    }
    const expression = wrapped(program);
    if (!expression) continue;
    const start = open.length;
    const end = start + text.length;
    if (index === 0) {
      if (expression.start !== start || expression.end !== end) continue;
      if (expression.type === "ClassExpression") return { kind: "class" };
      if (expression.type === "FunctionExpression" || expression.type === "ArrowFunctionExpression") {
        return { kind: "expression", node: expression, source: text };
      }
      continue;
    }
    const method = methodOf(expression, start, end);
    if (method) return { kind: "method", node: method, source: methodSource(text, method, start, name) };
  }
  throw firstError ?? new SyntaxError("not the source of a function");
}
