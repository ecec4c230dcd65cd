/** Uses of the caller's context that can't travel to a thread. */
export type ContextualUse = "this" | "super" | "new.target" | "import.meta";

/** Why a function can't be re-created on a thread: the message and what it captured. */
export interface Rejection {
  readonly message: string;
  readonly captured: readonly string[];
}

const quote = (name: string): string => JSON.stringify(name);

/** The second fix, shown in every message. */
function tasksFix(name: string): string {
  const file = /^[A-Za-z_$][\w$]*$/.test(name) && name !== "anonymous" ? name : "work";
  return (
    `move the function into a module file and call it through tasks(new URL("./${file}.js", import.meta.url)) ` +
    `(CommonJS: tasks(require.resolve("./${file}.js")))`
  );
}

function head(name: string, what = "function"): string {
  return `parallel(): ${what} ${quote(name)} is not portable:`;
}

const CONTEXTUAL: Record<ContextualUse, (arrow: boolean) => string> = {
  this: (arrow) =>
    arrow ? "it uses `this` of the code around it" : "it uses `this`, which would be lost on the thread",
  super: () => "it uses `super`, which would be lost on the thread",
  "new.target": () => "it uses `new.target` of the function around it",
  "import.meta": () => "it uses import.meta, which has no meaning on the thread",
};

/** The rejection of a function that uses names or context from outside itself. */
export function capturesRejection(
  name: string,
  free: readonly string[],
  contextual: readonly ContextualUse[],
  arrow: boolean,
): Rejection {
  const reasons: string[] = [];
  if (free.length > 0) reasons.push(`it uses ${free.map(quote).join(", ")} from an enclosing scope`);
  for (const use of contextual) reasons.push(CONTEXTUAL[use](arrow));
  const pass =
    contextual.length > 0
      ? "Pass the values it needs as arguments"
      : free.length === 1
        ? "Pass that value as an argument (a module can't be: require() or import() it inside the function)"
        : "Pass those values as arguments (a module can't be: require() or import() it inside the function)";
  return {
    message: `${head(name)} ${reasons.join("; ")}. ${pass}, or ${tasksFix(name)}.${bundlerHint(free)}`,
    captured: [...new Set([...free, ...contextual])].sort(),
  };
}

/**
 * A bundler renames what a function uses (`require` becomes `__require2`,
 * a minifier makes names one letter long): say so when the captured names
 * look like that.
 */
function bundlerHint(free: readonly string[]): string {
  const renamed = free.some((n) => /^__[A-Za-z]/.test(n) || /^[A-Za-z_$][0-9]?$/.test(n));
  return renamed
    ? " If this function comes from a bundle, the bundler renamed what it uses (for example `require`): " +
        "mark parallel-threads (and the modules the function loads) external in the bundler, or move the " +
        "function into a module file and use tasks()."
    : "";
}

/** Why a function's source can't be used as it is, and the first fix to offer. */
const SHAPES = {
  bound: [
    "it is a bound function, so its source is not available",
    "Pass the bound values as arguments to the original function",
  ],
  native: ["it is a native function, so its source is not available", "Call it from a function of your own"],
  class: ["a class is not a function to call", "Pass a function that constructs it and does the work"],
  generator: [
    "it is a generator function, which parallel() does not call (a generator belongs in a parallel context)",
    "Pass a plain or async function",
  ],
  unparsable: ["its source could not be parsed", "Use an arrow function or a function expression"],
} as const;

/** The rejection of a function whose source can't be used as it is (`detail`: the parser's message). */
export function shapeRejection(name: string, shape: keyof typeof SHAPES, detail = ""): Rejection {
  const [reason, fix] = SHAPES[shape];
  const why = detail === "" ? reason : `${reason} (${detail})`;
  return {
    message: `${head(name, shape === "class" ? "class" : "function")} ${why}. ${fix}, or ${tasksFix(name)}.`,
    captured: [],
  };
}
