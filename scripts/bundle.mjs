// Bundles the TypeScript layer into dist/index.js after `tsc` has checked it
// and emitted the declarations (tsc emits no JavaScript). That one file is what `require` and
// index.mjs load, and what every pool thread runs as its script (with the
// thread side, lib/runtime/thread.ts, initialised only there), so each isolate has
// one instance of the library. One file instead of ~30 modules nearly halves
// the time to load it (measured: 14 ms → 8 ms), which every thread pays again
// when it starts.
// esbuild is already in the tree through tsx; it is a build-time dependency
// only.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  // Node built-ins and packages (tsx, loaded for .ts tasks) stay imports; the
  // napi-rs loader picks the platform's .node file at run time.
  packages: "external",
  external: ["../binding.js"],
  // No keepNames: its __name() wrappers cost ~0.3 µs on every closure made
  // on the hot path. No class is renamed by the bundling (the error classes
  // set their `name` themselves); the tests check the names.
  sourcemap: true,
  logLevel: "warning",
};

await build({ ...common, entryPoints: ["lib/index.ts"], outdir: "dist" });
// The internal modules unit tests load directly (not shipped; see the entries).
for (const name of ["errors", "portability"])
  await build({ ...common, entryPoints: [`scripts/test-internals/${name}.ts`], outfile: `build/${name}-internals.js` });
