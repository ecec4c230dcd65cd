/**
 * Loading the addon (internal), typed from its generated declarations
 * (binding.d.ts); the wire protocol's enums and packed layouts are in
 * ./protocol.ts.
 */

import { readFileSync } from "node:fs";

import { spawnerAddonFile } from "./pool-thread.js";

/** The addon's exports, as the generated declarations (binding.d.ts) type them. */
export type Binding = typeof import("../../binding.js");

/**
 * The addon, loaded once per isolate. A pool thread loads the file its
 * spawner loaded; a program loads its platform's binary directly when it is
 * one of the targets we build. Otherwise, or when that fails, the generated
 * loader (binding.js) looks for it. Skipping the loader (~900 lines, a dozen
 * file lookups) saves ~2 ms of every start.
 */
export const addon: Binding = loadBinding();

/**
 * The addon's functions, as the library calls them: a plain copy of its
 * exports. Node-API gives the exports object dictionary properties, so every
 * `addon.submit` would be a slow lookup; the copy's are fast (its identity
 * stays with `addon`).
 */
export const binding: Binding = { ...addon };

function loadBinding(): Binding {
  const file = spawnerAddonFile();
  const target = file === undefined && !process.env["NAPI_RS_NATIVE_LIBRARY_PATH"] ? buildTarget() : undefined;
  const candidates =
    file !== undefined ? [file] : target ? [`../parallel-threads.${target}.node`, `parallel-threads-${target}`] : [];
  for (const candidate of candidates) {
    try {
      return require(candidate) as Binding;
    } catch {
      // the next candidate, then the loader
    }
  }
  try {
    return require("../binding.js") /* relative to dist/index.js, the bundle */ as Binding;
  } catch (error) {
    throw missingBinary(target, error);
  }
}

/** The error for a platform whose binary could not be loaded: which, where from, and what to do. */
function missingBinary(target: string | undefined, cause: unknown): Error {
  const platform = `${process.platform}-${process.arch}`;
  const message = target
    ? `parallel-threads: the native binary for ${target} could not be loaded. It comes from the optional ` +
      `dependency "parallel-threads-${target}", which npm installs with parallel-threads on this platform; ` +
      "it is missing or broken (installed with --omit=optional or --no-optional, or from a lockfile made " +
      "on another platform?). Reinstall with optional dependencies (`npm install parallel-threads`), or " +
      "build it from source: clone the repository and run `npm install` (needs a Rust toolchain)."
    : `parallel-threads: no prebuilt binary is published for ${platform}. Build it from source: clone the ` +
      "repository and run `npm install` there (needs a Rust toolchain), then install that package.";
  return Object.assign(new Error(message, { cause }), { code: "ERR_PARALLEL_NO_BINARY" });
}

/** This platform's napi target among those in package.json's `napi.targets`, if it is one. */
function buildTarget(): string | undefined {
  const { platform, arch } = process;
  if (platform === "darwin" && (arch === "x64" || arch === "arm64")) return `darwin-${arch}`;
  if (platform === "win32" && arch === "x64") return "win32-x64-msvc";
  if (platform !== "linux" || (arch !== "x64" && arch !== "arm64")) return undefined;
  let musl: boolean;
  try {
    musl = readFileSync("/usr/bin/ldd", "utf8").includes("musl"); // the generated loader's first test
  } catch {
    return undefined;
  }
  if (!musl) return `linux-${arch}-gnu`;
  return arch === "x64" ? "linux-x64-musl" : undefined;
}

/** The path of the addon file this isolate loaded, when it is one (for its pool threads). */
export function addonFile(): string | undefined {
  for (const loaded of Object.values(require.cache)) {
    if (loaded?.exports === addon && loaded.filename.endsWith(".node")) return loaded.filename;
  }
  return undefined;
}
