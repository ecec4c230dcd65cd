/**
 * The addon's own surface, below the public API: errors from the core reach
 * JavaScript with their stable `code` (not a Node-API status), and the wire
 * protocol's enums and the executor defaults come from the core; a missing
 * binary fails with an error that says what to do.
 */
import test from "ava";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { defaultMaxThreads } from "parallel-threads";

const ROOT = path.join(__dirname, "../..");

interface Addon {
  closeExecutor(id: number): void;
  createExecutor(maxThreads: number, idleTimeoutMs: number, spawnOptions: Buffer): number;
  executorDefaults(): { maxThreads: number; idleTimeoutMs: number };
  PayloadKind: Record<string, number>;
  DutyCode: Record<string, number>;
}
// The package's own loader (the library loads the same addon file, so this is the one core).
const addon = require(path.join(ROOT, "binding.js")) as Addon;

test("a core error arrives with its stable code", (t) => {
  const error = t.throws(() => addon.closeExecutor(987_654)) as Error & { code?: string };
  t.is(error.code, "ERR_PARALLEL_UNKNOWN_EXECUTOR");
  t.regex(error.message, /no executor with id 987654/);
  const invalid = t.throws(() => addon.createExecutor(0, 1000, Buffer.alloc(0))) as Error & { code?: string };
  t.is(invalid.code, "ERR_OUT_OF_RANGE");
});

test("the executor defaults are the core's", (t) => {
  const defaults = addon.executorDefaults();
  t.is(defaultMaxThreads(), defaults.maxThreads);
  t.is(defaults.idleTimeoutMs, 10_000);
  t.true(defaults.maxThreads >= 16);
});

test("the protocol's enums are exported by the addon", (t) => {
  t.deepEqual([addon.PayloadKind.Values, addon.PayloadKind.Serialized, addon.PayloadKind.Port], [0, 1, 2]);
  t.is(addon.DutyCode.Terminate, 1);
});

test("a missing binary fails the import with our own error naming the platform package and the fixes", (t) => {
  // A copy of the package without its .node file and outside any node_modules.
  const dir = mkdtempSync(path.join(tmpdir(), "parallel-threads-no-binary-"));
  try {
    mkdirSync(path.join(dir, "pkg/dist"), { recursive: true });
    for (const file of ["package.json", "binding.js", "index.mjs", "dist/index.js"])
      copyFileSync(path.join(ROOT, file), path.join(dir, "pkg", file));
    const run = spawnSync(
      process.execPath,
      ["-e", 'try { require("./pkg/dist/index.js") } catch (e) { console.log(JSON.stringify([e.code, e.message])) }'],
      { cwd: dir, encoding: "utf8", env: { ...process.env, NODE_PATH: "" } },
    );
    const [code, message] = JSON.parse(run.stdout.trim()) as [string, string];
    t.is(code, "ERR_PARALLEL_NO_BINARY");
    t.regex(message, /parallel-threads-linux-x64-gnu|no prebuilt binary is published/);
    t.regex(message, /npm install/);
    t.regex(message, /Rust/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
