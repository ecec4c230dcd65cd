/**
 * Two copies of the package in one process, as nested node_modules give:
 * sharing one addon file (both load the same platform binary) and with an
 * addon file each. Calls, timeouts, cancels, crashes and synchronous waits
 * on either copy, alternating, all settle as documented (child process:
 * fixtures/two-copies.cjs).
 */
import test from "ava";
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.join(__dirname, "../..");
const FIXTURE = path.join(ROOT, "__test__/fixtures/two-copies.cjs");
const ADDON = readdirSync(ROOT).find((f) => /^parallel-threads\..*\.node$/.test(f))!;

/** Copies the package's runtime files to `dir`, with its own addon file or without. */
function copyPackage(dir: string, withAddon: boolean): void {
  mkdirSync(path.join(dir, "dist"), { recursive: true });
  for (const file of ["package.json", "binding.js", "index.mjs", "dist/index.js"])
    copyFileSync(path.join(ROOT, file), path.join(dir, file));
  if (withAddon) copyFileSync(path.join(ROOT, ADDON), path.join(dir, ADDON));
}

function run(dir: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [FIXTURE, path.join(dir, "a"), path.join(dir, "b")],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 120_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function check(t: import("ava").ExecutionContext, shared: boolean): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "parallel-threads-two-copies-"));
  try {
    copyPackage(path.join(dir, "a"), !shared);
    copyPackage(path.join(dir, "b"), !shared);
    // Shared: both copies find the one addon file through the loader's override.
    const env = shared ? { NAPI_RS_NATIVE_LIBRARY_PATH: path.join(ROOT, ADDON) } : {};
    const result = await run(dir, env);
    t.is(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout.trim().split("\n").pop()!) as {
      rounds: number;
      failures: string[];
      sameErrorClasses: boolean;
    };
    t.is(report.rounds, 10);
    t.deepEqual(report.failures, []);
    t.true(report.sameErrorClasses, "errors of one copy are instances of the other's classes");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test.serial("two copies sharing one addon file work together", async (t) => {
  await check(t, true);
});

test.serial("two copies with an addon file each work together", async (t) => {
  await check(t, false);
});
