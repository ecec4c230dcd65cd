/**
 * TypeScript on threads. A program run under tsx has tsx's loader in its
 * `execArgv`, and a worker inherits it: every thread would then load tsx
 * (≈ 40 ms of start-up each) although inline functions arrive as plain
 * JavaScript (`Function.prototype.toString` gives what tsx compiled). So the
 * spawner starts threads without tsx's flags (`threadArgv`) and tells them
 * where tsx is; a thread loads tsx only when a task module needs it
 * (`importTaskModule`): a `.ts`/`.mts`/`.cts` file that Node can't load by
 * its own type stripping (always on Node 20; on 22.18+ and 24 only one that
 * uses syntax Node can't strip, such as `enum`, or imports `./x.js` meaning
 * `./x.ts`), or JavaScript that imports TypeScript.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Node options of a pool thread, and where tsx's API is when they were taken from a program run under tsx. */
export interface ThreadArgv {
  /** The Worker's `execArgv`; undefined: the process's, inherited. */
  execArgv: string[] | undefined;
  /** URL of `tsx/esm/api`, when tsx's flags were taken out. */
  tsxApi?: string;
}

const LOADER_FLAGS = new Set(["--require", "-r", "--import", "--loader", "--experimental-loader"]);

/** Whether a loader flag's value names tsx (`tsx`, `tsx/esm`, or a file of the tsx package). */
function namesTsx(value: string): boolean {
  return value === "tsx" || value.startsWith("tsx/") || value.includes("/tsx/dist/");
}

/** The URL of `tsx/esm/api` of the tsx a flag names, if it can be found. */
function tsxApiOf(value: string): string | undefined {
  const file = value.replace(/^file:\/\//, "");
  const at = file.lastIndexOf("/tsx/dist/");
  if (at >= 0) return pathToFileURL(`${file.slice(0, at)}/tsx/dist/esm/api/index.mjs`).href;
  try {
    const manifest = createRequire(path.join(process.cwd(), "[parallel-threads]")).resolve("tsx/package.json");
    return pathToFileURL(path.join(path.dirname(manifest), "dist/esm/api/index.mjs")).href;
  } catch {
    return undefined;
  }
}

/**
 * `execArgv` without tsx's loader flags (`--import tsx`, `--require
 * …/tsx/dist/preflight.cjs`, …), and where tsx is; inherited as it is when
 * it names no tsx, or one that can't be found. (A Worker given its
 * `execArgv` refuses process-wide flags such as `--expose-gc`, which it
 * inherits silently: see `withoutRefusedFlags`.)
 */
export function threadArgv(execArgv: readonly string[]): ThreadArgv {
  const kept: string[] = [];
  let tsxApi: string | undefined;
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const eq = arg.indexOf("=");
    const [flag, value, width] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1), 1] : [arg, execArgv[i + 1] ?? "", 2];
    if (LOADER_FLAGS.has(flag) && namesTsx(value)) {
      tsxApi ??= tsxApiOf(value);
      i += width - 1;
      continue;
    }
    kept.push(arg);
  }
  return tsxApi === undefined ? { execArgv: undefined } : { execArgv: kept, tsxApi };
}

/**
 * `argv` without the flags a Worker refused (`ERR_WORKER_INVALID_EXEC_ARGV`
 * names them: process-wide flags, which every thread has anyway); inherited
 * as it is when `error` is another, or names none of them.
 */
export function withoutRefusedFlags(argv: ThreadArgv, error: unknown): ThreadArgv {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  const listed = code === "ERR_WORKER_INVALID_EXEC_ARGV" ? /flags: (.*)$/.exec(message ?? "") : null;
  const refused = new Set(listed?.[1]?.split(", ") ?? []);
  const kept = argv.execArgv?.filter((arg) => !refused.has(arg));
  if (kept === undefined || kept.length === argv.execArgv!.length) return { execArgv: undefined };
  return { ...argv, execArgv: kept };
}

/** Whether a module URL is a TypeScript file. */
function isTypeScript(url: string): boolean {
  return /\.(m|c)?ts$/.test(url);
}

/**
 * TypeScript's own convention: `./work.js` names `./work.ts` (`.mjs` →
 * `.mts`, `.cjs` → `.cts`) when only the TypeScript file exists. The URL of
 * that file when `url` was not found and it exists.
 */
function typeScriptSource(url: string, error: unknown): string | undefined {
  const code = (error as { code?: string } | null)?.code;
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "ERR_UNSUPPORTED_DIR_IMPORT") return undefined;
  const match = /\.(m|c)?js$/.exec(url);
  if (match === null || !url.startsWith("file:")) return undefined;
  const candidate = `${url.slice(0, match.index)}.${match[1] ?? ""}ts`;
  try {
    return existsSync(fileURLToPath(candidate)) ? candidate : undefined;
  } catch {
    return undefined;
  }
}

type TsImport = (specifier: string, parent: string) => Promise<Record<string, unknown>>;
let tsImport: Promise<TsImport> | undefined;

/** Imports a module through tsx (loaded once per thread, on first need). */
async function importWithTsx(url: string, tsxApi: string): Promise<Record<string, unknown>> {
  tsImport ??= import(tsxApi).then((api: { tsImport: TsImport }) => api.tsImport);
  return (await tsImport)(url, pathToFileURL(path.join(process.cwd(), "/")).href);
}

/**
 * Errors of loading a module (before any of it ran) that tsx may not have:
 * Node can't strip its types, or can't resolve what it imports (TypeScript's
 * `./helper.js` for `./helper.ts`, tsconfig paths).
 */
const NOT_LOADED = new Set([
  "ERR_UNKNOWN_FILE_EXTENSION",
  "ERR_MODULE_NOT_FOUND",
  "ERR_UNSUPPORTED_DIR_IMPORT",
  "ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX",
  "ERR_INVALID_TYPESCRIPT_SYNTAX",
  "ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING",
]);

/** Whether this Node strips TypeScript types itself (22.18+ and 24 by default; 22.6+ with a flag). */
function stripsTypes(): boolean {
  return Boolean((process.features as { typescript?: string | false }).typescript);
}

/**
 * Imports a module as Node does; when the program runs under tsx, a module
 * Node can't load (TypeScript Node can't strip, or JavaScript that imports
 * TypeScript) is loaded through tsx instead. Node's own type stripping is
 * tried first: it costs nothing, where tsx costs each thread ≈ 40 ms.
 */
async function importModule(url: string, tsxApi: string | undefined): Promise<Record<string, unknown>> {
  if (tsxApi !== undefined && isTypeScript(url) && !stripsTypes()) return importWithTsx(url, tsxApi);
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    if (tsxApi === undefined || !NOT_LOADED.has((error as { code?: string })?.code ?? "")) throw error;
    return importWithTsx(url, tsxApi);
  }
}

/**
 * Imports a task's module on a thread, following TypeScript's resolution
 * (`./work.js` finds `./work.ts` when only that exists). `tsxApi`: where tsx
 * is, when the program runs under it.
 */
export async function importTaskModule(url: string, tsxApi: string | undefined): Promise<Record<string, unknown>> {
  try {
    return await importModule(url, tsxApi);
  } catch (error) {
    const source = typeScriptSource(url, error);
    if (source === undefined) throw error;
    return importModule(source, tsxApi);
  }
}
