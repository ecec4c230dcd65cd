// The `pipeline` job's inputs: a fixed list of real JavaScript files, those of
// the installed dev dependencies (node_modules, fixed by package-lock.json):
// every .js/.mjs/.cjs file under 256 KiB, in path order, the first FILES.
import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../node_modules", import.meta.url));
const FILES = 5000;
const MAX_BYTES = 256 * 1024;

export function pipelineFiles(count = FILES) {
  const out = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (out.length >= count) return;
      if (entry.name === ".bin" || entry.name === ".cache") continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && /\.[cm]?js$/.test(entry.name) && statSync(path).size <= MAX_BYTES) out.push(path);
    }
  };
  walk(ROOT);
  return out;
}

/** One digest of a run's results, to check that every system computed the same. */
export function digestOf(results) {
  const hash = createHash("sha1");
  for (const r of results) hash.update(`${r.nodes}:${r.hash};`);
  return hash.digest("hex").slice(0, 16);
}
