// A CPU-heavy pipeline over many inputs: results in input order, at most as
// many calls at once as there are cores, short inputs several to a call
// (map's defaults; README "Map over inputs").
import { ParallelExecutor } from "parallel-threads";

const inputs = Array.from({ length: 40 }, (_, i) => `document ${i} `.repeat(2_000));

// Each call runs on a thread: gzip, then sha256 of the compressed bytes.
const digests: string[] = await ParallelExecutor.map((text: string) => {
  const { gzipSync } = require("node:zlib") as typeof import("node:zlib");
  const { createHash } = require("node:crypto") as typeof import("node:crypto");
  return createHash("sha256").update(gzipSync(text)).digest("hex");
}, inputs);

if (digests.length !== inputs.length || digests.some((d) => !/^[0-9a-f]{64}$/.test(d))) {
  throw new Error("unexpected digests");
}
console.log(`${digests.length} digests, first ${digests[0]!.slice(0, 12)}…`);
