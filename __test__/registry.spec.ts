// The registry test: run the publish job's release steps (napi artifacts,
// napi prepublish without the GitHub release, npm publish) against a local
// verdaccio on 127.0.0.1, then `npm install parallel-threads` from it in a
// fresh project with no cargo on PATH, and run ESM, CommonJS and TypeScript
// consumers there (scripts/registry-test.sh). It installs verdaccio 6 from the
// real npm registry into a temporary directory.
// Set SKIP_REGISTRY_TEST=1 to skip it.
import test from "ava";
import { runScript } from "./helpers/run-script.js";

const limit = 5 * 60_000;

if (process.env.SKIP_REGISTRY_TEST) {
  console.log(`registry.spec: skipped because SKIP_REGISTRY_TEST=${process.env.SKIP_REGISTRY_TEST}`);
  test.skip("the release steps publish to a local registry and `npm install parallel-threads` works", () => {});
} else {
  test.serial("the release steps publish to a local registry and `npm install parallel-threads` works", async (t) => {
    t.timeout(limit);
    const run = await runScript("registry-test.sh", limit - 10_000);
    t.is(run.status, 0, `registry-test.sh exited with ${run.status ?? run.signal}:\n${run.output}`);
    const lines = run.output.split("\n");
    // The release steps ran, in the workflow's order.
    const steps = [
      / artifacts --config-path napi\.release\.json$/,
      / prepublish -t npm --no-gh-release /,
      /npm publish --access public --ignore-scripts$/,
    ];
    const at = steps.map((step) => lines.findIndex((line) => line.startsWith("$ ") && step.test(line)));
    t.true(
      at.every((index) => index >= 0),
      `a release step is missing in:\n${run.output}`,
    );
    t.deepEqual(
      [...at].sort((a, b) => a - b),
      at,
      `the release steps ran out of order:\n${run.output}`,
    );
    t.regex(run.output, /^\+ parallel-threads-linux-x64-gnu@\S+$/m);
    t.regex(run.output, /^\+ parallel-threads@\S+$/m);
    // napi prepublish wrote the optional dependency, and npm installed it.
    t.regex(
      run.output,
      /^package\.json optionalDependencies \(written by napi prepublish\): \{"parallel-threads-linux-x64-gnu":"[^"]+"\}$/m,
    );
    t.regex(run.output, /^\$ npm install --registry http:\/\/127\.0\.0\.1:\d+\/ .*parallel-threads$/m);
    t.regex(
      run.output,
      /^node_modules\/parallel-threads-linux-x64-gnu@\S+ \(optional\) <- http:\/\/127\.0\.0\.1:\d+\//m,
    );
    t.regex(
      run.output,
      /^exactly parallel-threads and parallel-threads-linux-x64-gnu, both from http:\/\/127\.0\.0\.1:\d+\//m,
    );
    for (const ok of ["ESM consumer OK", "CJS consumer OK", "tsc: no errors", "TypeScript consumer OK"]) {
      t.true(lines.includes(ok), `missing "${ok}" in:\n${run.output}`);
    }
    // Each consumer's parallel() chain: [21 * 2, a worker's threadId], with the
    // addon from the platform package.
    const results = lines.filter((line) => line.startsWith("results: "));
    t.is(results.length, 3, `expected 3 consumer results in:\n${run.output}`);
    for (const line of results) {
      t.regex(
        line,
        /^results: \[42,[1-9]\d*\]; addon: node_modules\/parallel-threads-linux-x64-gnu\/parallel-threads\.linux-x64-gnu\.node$/,
      );
    }
    t.regex(run.output, /registry-test: PASSED/);
    t.regex(run.output, /registry-test: verdaccio \(pid \d+\) stopped/);
  });
}
