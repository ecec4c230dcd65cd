/**
 * Bundled programs (README "Bundling"): an app that uses the library, bundled
 * with esbuild (as CommonJS and as ESM) and with rollup (ESM), with the
 * package external and with it bundled in (the platform package, which holds
 * the native binary, stays external), runs. It is installed like a user's project: the package and
 * its platform package copied into node_modules of a temp project. Inline
 * functions that use `require` (esbuild renames it `__require` in ESM
 * bundles) work on the threads.
 */
import test, { type ExecutionContext } from "ava";
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

import commonjs from "@rollup/plugin-commonjs";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import { build } from "esbuild";
import { rollup } from "rollup";

const ROOT = path.join(__dirname, "../..");
const ADDON = readdirSync(ROOT).find((f) => /^parallel-threads\..*\.node$/.test(f))!;
const TARGET = ADDON.replace(/^parallel-threads\.|\.node$/g, "");

const APP = `
import { parallel } from "parallel-threads";
const [doubled, gzipped, threadId] = await parallel((n) => n * 2)(21)
  .parallel((text) => require("node:zlib").gunzipSync(require("node:zlib").gzipSync(text)).toString())("zipped")
  .parallel(async () => { await null; return (await import("node:worker_threads")).threadId; })()
  .results();
console.log(JSON.stringify({ doubled, gzipped, onAThread: threadId > 0 }));
`;

let project: string;

test.before(() => {
  // A user's project: the package and its platform package installed in node_modules.
  project = mkdtempSync(path.join(ROOT, "build/bundlers-"));
  const pkg = path.join(project, "node_modules/parallel-threads");
  mkdirSync(path.join(pkg, "dist"), { recursive: true });
  for (const file of ["package.json", "binding.js", "index.mjs", "index.bundler.mjs", "index.d.ts", "dist/index.js"])
    copyFileSync(path.join(ROOT, file), path.join(pkg, file));
  const platform = path.join(project, `node_modules/parallel-threads-${TARGET}`);
  mkdirSync(platform, { recursive: true });
  copyFileSync(path.join(ROOT, `npm/${TARGET}/package.json`), path.join(platform, "package.json"));
  copyFileSync(path.join(ROOT, ADDON), path.join(platform, ADDON));
  writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "app", private: true }));
  // The ESM source uses top-level await; the CommonJS one wraps it.
  writeFileSync(path.join(project, "app.mjs"), APP);
  writeFileSync(
    path.join(project, "app.cjs"),
    `(async () => {\n${APP.replace('import { parallel } from "parallel-threads";', 'const { parallel } = require("parallel-threads");')}\n})();`,
  );
});

test.after.always(() => rmSync(project, { recursive: true, force: true }));

/** Runs a bundle of the app and checks what it printed: its calls ran on threads. */
async function appRuns(t: ExecutionContext, bundle: string): Promise<void> {
  const out = await run(bundle);
  t.is(out.code, 0, out.stderr);
  t.deepEqual(JSON.parse(out.stdout.trim().split("\n").pop()!), {
    doubled: 42,
    gzipped: "zipped",
    onAThread: true,
  });
}

function run(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file], { cwd: project, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

for (const format of ["esm", "cjs"] as const) {
  for (const mode of ["external", "bundled in"] as const) {
    test.serial(`an esbuild ${format} bundle runs with the package ${mode}`, async (t) => {
      const outfile = path.join(project, `out-${format}-${mode.replace(" ", "-")}.${format === "esm" ? "mjs" : "cjs"}`);
      const result = await build({
        absWorkingDir: project,
        entryPoints: [format === "esm" ? "app.mjs" : "app.cjs"],
        outfile,
        bundle: true,
        platform: "node",
        format,
        target: "node20",
        logLevel: "silent",
        // The platform package holds the native binary: it stays external.
        external: mode === "external" ? ["parallel-threads"] : ["parallel-threads-*"],
        // An ESM bundle of CommonJS code needs `require` (esbuild's documented banner).
        banner:
          format === "esm"
            ? { js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' }
            : {},
      });
      t.deepEqual(result.errors, []);
      await appRuns(t, outfile);
    });
  }
}

for (const mode of ["external", "bundled in"] as const) {
  test.serial(`a rollup esm bundle runs with the package ${mode}`, async (t) => {
    const outfile = path.join(project, `out-rollup-${mode.replace(" ", "-")}.mjs`);
    const external = (id: string): boolean =>
      id.startsWith("node:") || (mode === "external" ? id === "parallel-threads" : id.startsWith("parallel-threads-"));
    const warnings: string[] = [];
    const bundle = await rollup({
      input: path.join(project, "app.mjs"),
      external,
      // The library's addon loader requires by computed names: left to run time.
      plugins: [nodeResolve({ preferBuiltins: true, rootDir: project }), commonjs({ ignoreDynamicRequires: true })],
      onwarn: (warning) => void warnings.push(`${warning.code}: ${warning.message}`),
    });
    await bundle.write({
      file: outfile,
      format: "es",
      // An ESM bundle of CommonJS code needs `require`.
      banner:
        'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
    });
    await bundle.close();
    t.log(warnings.length === 0 ? "no warnings" : warnings.join("\n"));
    await appRuns(t, outfile);
  });
}
