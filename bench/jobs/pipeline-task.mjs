// The `pipeline` job's task: read one JavaScript file, parse it with a real
// parser (acorn), walk every node, hash the source. What a build tool's
// per-file step does; every system imports this module.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse } from "acorn";
import { full } from "acorn-walk";

const OPTIONS = {
  ecmaVersion: "latest",
  allowHashBang: true,
  allowReturnOutsideFunction: true,
  allowAwaitOutsideFunction: true,
};

function parseEither(source) {
  try {
    return parse(source, { ...OPTIONS, sourceType: "module" });
  } catch {
    return parse(source, { ...OPTIONS, sourceType: "script" });
  }
}

/** `{ nodes, hash }` of one file (`nodes: -1` when acorn can't parse it). */
export function parseFile(path) {
  const source = readFileSync(path, "utf8");
  let nodes = 0;
  try {
    full(parseEither(source), () => nodes++);
  } catch {
    nodes = -1;
  }
  return { nodes, hash: createHash("sha1").update(source).digest("hex").slice(0, 16) };
}
