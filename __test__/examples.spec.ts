// Every file in examples/ runs to completion (README examples are real programs).
import test from "ava";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import * as path from "node:path";

const root = path.join(__dirname, "..", "..");
const examples = readdirSync(path.join(root, "examples")).filter((f) => /\.(mjs|cjs|js|mts)$/.test(f));
const tsx = path.join(root, "node_modules", "tsx", "dist", "cli.mjs");

test("there are examples to run", (t) => {
  t.true(examples.length >= 6);
});

for (const file of examples) {
  test(`examples/${file} runs and exits by itself`, (t) => {
    const script = path.join("examples", file);
    const args = file.endsWith(".mts") ? [tsx, script] : [script];
    const run = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", timeout: 60_000 });
    t.is(run.status, 0, run.stderr);
  });
}
