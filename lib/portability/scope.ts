import type {
  AnonymousFunctionDeclaration,
  AnyNode,
  ArrowFunctionExpression,
  Class,
  FunctionDeclaration,
  FunctionExpression,
  Pattern,
  Statement,
} from "acorn";
import { lexicalNames, patternNames, varNames } from "./declarations.js";

/** A function node of the tree acorn builds. */
export type FunctionNode =
  | FunctionExpression
  | FunctionDeclaration
  | AnonymousFunctionDeclaration
  | ArrowFunctionExpression;

/** Uses of the caller's context that can't travel to a thread. */
export type ContextualUse = "this" | "super" | "new.target" | "import.meta";

/** What a function uses from outside itself. */
export interface ScopeReport {
  /** Free identifiers that are not worker globals (private names as `#x`), sorted. */
  readonly free: readonly string[];
  /** `this`, `super`, `new.target`, `import.meta` at the function's own level, sorted. */
  readonly contextual: readonly ContextualUse[];
}

/** One lexical environment: the names it binds and its parent. */
class Scope {
  readonly names = new Set<string>();
  constructor(readonly parent: Scope | null) {}
  binds(name: string): boolean {
    for (let scope: Scope | null = this; scope !== null; scope = scope.parent) {
      if (scope.names.has(name)) return true;
    }
    return false;
  }
}

/**
 * Whether `this`/`super`/`new.target` refer to the analysed function's own
 * context: true at its top level and in arrow functions nested there, false
 * inside nested non-arrow functions, methods, field initialisers and static
 * blocks, which have contexts of their own.
 */
interface Context {
  readonly own: boolean;
}
const OWN: Context = { own: true };
const NESTED: Context = { own: false };

function isNode(value: unknown): value is AnyNode {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}

class Analyzer {
  readonly free = new Set<string>();
  readonly contextual = new Set<ContextualUse>();
  private readonly privateNames: Set<string>[] = [];

  constructor(
    private readonly globals: ReadonlySet<string>,
    private readonly rootIsArrow: boolean,
  ) {}

  reference(name: string, scope: Scope): void {
    if (!scope.binds(name) && !this.globals.has(name)) this.free.add(name);
  }

  privateReference(name: string): void {
    if (!this.privateNames.some((names) => names.has(name))) this.free.add(`#${name}`);
  }

  visitAll(nodes: readonly (AnyNode | null)[], scope: Scope, context: Context): void {
    for (const node of nodes) this.visit(node, scope, context);
  }

  visit(node: AnyNode | null | undefined, scope: Scope, context: Context): void {
    if (!node) return;
    switch (node.type) {
      case "Identifier":
        return this.reference(node.name, scope);
      case "PrivateIdentifier": // `#x in object`
        return this.privateReference(node.name);
      case "ThisExpression":
        if (context.own) this.contextual.add("this");
        return;
      case "Super":
        if (context.own) this.contextual.add("super");
        return;
      case "MetaProperty":
        if (node.meta.name === "import") this.contextual.add("import.meta");
        else if (context.own && this.rootIsArrow) this.contextual.add("new.target");
        return;
      case "MemberExpression":
        this.visit(node.object, scope, context);
        if (node.computed) this.visit(node.property, scope, context);
        else if (node.property.type === "PrivateIdentifier") this.privateReference(node.property.name);
        return;
      case "Property": // of an object literal; patterns go through visitPattern
        if (node.computed) this.visit(node.key, scope, context);
        return this.visit(node.value, scope, context);
      case "FunctionExpression":
      case "FunctionDeclaration":
      case "ArrowFunctionExpression":
        return this.visitFunction(node, scope, context);
      case "ClassExpression":
      case "ClassDeclaration":
        return this.visitClass(node, scope, context);
      case "VariableDeclaration":
        for (const declarator of node.declarations) {
          this.visitPattern(declarator.id, scope, context, true);
          this.visit(declarator.init, scope, context);
        }
        return;
      case "BlockStatement":
        return this.visitBlock(node.body, new Scope(scope), context);
      case "SwitchStatement": {
        this.visit(node.discriminant, scope, context);
        const inner = new Scope(scope);
        for (const switchCase of node.cases) lexicalNames(switchCase.consequent, inner.names);
        for (const switchCase of node.cases) {
          this.visit(switchCase.test, inner, context);
          this.visitAll(switchCase.consequent, inner, context);
        }
        return;
      }
      case "ForStatement": {
        const inner = this.loopScope(node.init, scope);
        this.visit(node.init, inner, context);
        this.visit(node.test, inner, context);
        this.visit(node.update, inner, context);
        return this.visit(node.body, inner, context);
      }
      case "ForInStatement":
      case "ForOfStatement": {
        const inner = this.loopScope(node.left, scope);
        this.visit(node.right, inner, context);
        if (node.left.type === "VariableDeclaration") this.visit(node.left, inner, context);
        else this.visitPattern(node.left, inner, context, false);
        return this.visit(node.body, inner, context);
      }
      case "CatchClause": {
        const inner = new Scope(scope);
        if (node.param) {
          patternNames(node.param, inner.names);
          this.visitPattern(node.param, inner, context, true);
        }
        return this.visit(node.body, inner, context);
      }
      case "AssignmentExpression":
        this.visitPattern(node.left, scope, context, false);
        return this.visit(node.right, scope, context);
      case "LabeledStatement":
        return this.visit(node.body, scope, context);
      case "BreakStatement":
      case "ContinueStatement":
        return;
      default:
        for (const value of Object.values(node)) {
          if (Array.isArray(value)) {
            for (const item of value) if (isNode(item)) this.visit(item, scope, context);
          } else if (isNode(value)) {
            this.visit(value, scope, context);
          }
        }
    }
  }

  /** Visits a binding or assignment target: its defaults and computed keys are expressions. */
  visitPattern(pattern: Pattern, scope: Scope, context: Context, declaring: boolean): void {
    switch (pattern.type) {
      case "Identifier":
        if (!declaring) this.reference(pattern.name, scope);
        return;
      case "ObjectPattern":
        for (const property of pattern.properties) {
          if (property.type === "RestElement") {
            this.visitPattern(property.argument, scope, context, declaring);
          } else {
            if (property.computed) this.visit(property.key, scope, context);
            this.visitPattern(property.value, scope, context, declaring);
          }
        }
        return;
      case "ArrayPattern":
        for (const element of pattern.elements) {
          if (element) this.visitPattern(element, scope, context, declaring);
        }
        return;
      case "RestElement":
        return this.visitPattern(pattern.argument, scope, context, declaring);
      case "AssignmentPattern":
        this.visitPattern(pattern.left, scope, context, declaring);
        return this.visit(pattern.right, scope, context);
      case "MemberExpression":
        return this.visit(pattern, scope, context);
    }
  }

  /** Visits a function: own name, parameters (with `arguments`), then a body scope. */
  visitFunction(fn: FunctionNode, scope: Scope, context: Context, root = false): void {
    let outer = scope;
    if (fn.type === "FunctionExpression" && fn.id) {
      outer = new Scope(scope);
      outer.names.add(fn.id.name);
    }
    const params = new Scope(outer);
    if (fn.type !== "ArrowFunctionExpression") params.names.add("arguments");
    for (const param of fn.params) patternNames(param, params.names);
    const inner = root || fn.type === "ArrowFunctionExpression" ? context : NESTED;
    for (const param of fn.params) this.visitPattern(param, params, inner, true);
    if (fn.body.type === "BlockStatement") {
      this.visitBlock(fn.body.body, new Scope(params), inner, true);
    } else {
      this.visit(fn.body, params, inner);
    }
  }

  /** Visits a class: its name, heritage, private names and elements. */
  visitClass(cls: Class, scope: Scope, context: Context): void {
    const inner = new Scope(scope);
    if (cls.id) inner.names.add(cls.id.name);
    this.visit(cls.superClass, inner, context);
    const privateNames = new Set<string>();
    for (const element of cls.body.body) {
      if (element.type !== "StaticBlock" && element.key.type === "PrivateIdentifier") {
        privateNames.add(element.key.name);
      }
    }
    this.privateNames.push(privateNames);
    for (const element of cls.body.body) {
      if (element.type === "StaticBlock") {
        this.visitBlock(element.body, new Scope(inner), NESTED, true);
        continue;
      }
      if (element.computed) this.visit(element.key, inner, context);
      if (element.type === "MethodDefinition") this.visitFunction(element.value, inner, NESTED);
      else this.visit(element.value, new Scope(inner), NESTED);
    }
    this.privateNames.pop();
  }

  /** Declares a block's names (and `var`s for a function body) and visits it. */
  visitBlock(statements: readonly Statement[], scope: Scope, context: Context, functionBody = false): void {
    if (functionBody) varNames(statements, scope.names);
    lexicalNames(statements, scope.names);
    this.visitAll(statements, scope, context);
  }

  loopScope(head: AnyNode | null | undefined, scope: Scope): Scope {
    if (head?.type !== "VariableDeclaration" || head.kind === "var") return scope;
    const inner = new Scope(scope);
    for (const declarator of head.declarations) patternNames(declarator.id, inner.names);
    return inner;
  }
}

/**
 * Finds what `fn` uses from outside itself: identifiers bound neither inside
 * it nor among `globals`, and uses of its caller's `this`/`super`/
 * `new.target`/`import.meta`. `fn`'s own name (a named function expression)
 * is bound inside it; a method's key is not.
 */
export function analyzeScope(fn: FunctionNode, globals: ReadonlySet<string>): ScopeReport {
  const analyzer = new Analyzer(globals, fn.type === "ArrowFunctionExpression");
  analyzer.visitFunction(fn, new Scope(null), OWN, true);
  return {
    free: [...analyzer.free].sort(),
    contextual: [...analyzer.contextual].sort(),
  };
}
