// Every file in examples/ runs to completion (README examples are real programs).
import test from "ava";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import * as path from "node:path";

const root = path.join(__dirname, "..", "..");
const examples = readdirSync(path.join(root, "examples")).filter((f) => /\.(mjs|cjs|js)$/.test(f));

test("there are examples to run", (t) => {
  t.true(examples.length >= 3);
});

for (const file of examples) {
  test(`examples/${file} runs and exits by itself`, (t) => {
    const run = spawnSync(process.execPath, [path.join("examples", file)], { cwd: root, encoding: "utf8", timeout: 60_000 });
    t.is(run.status, 0, run.stderr);
  });
}
