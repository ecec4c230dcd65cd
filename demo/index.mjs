#!/usr/bin/env node
// `npm run demo`: render a Mandelbrot image in 48 tiles (and hash every tile
// many times), first sequentially on the main thread, then with
// parallel-threads — one call per tile, a live progress bar fed by
// asCompleted() — and compare time and results.
//
// Plain ESM, no build step. The tile code lives in ./work.mjs, a module the
// threads import once each (that is what tasks() is for).
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import { ParallelExecutor, asCompleted, tasks } from "parallel-threads";

import { IMAGE, makeTiles, renderTile } from "./work.mjs";

const out = process.stdout;
const tty = Boolean(out.isTTY) && !process.env.NO_PROGRESS_BAR;
const cores = os.availableParallelism();
const tiles = makeTiles();
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
/** CPU time of the whole process (all threads) since `since`, in ms. */
const cpuMs = (since) => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
};
const busy = (cpu, wall) => `CPU ${fmt(cpu)}, ${(cpu / wall).toFixed(2)} cores busy on average`;

/**
 * A progress bar with one cell per tile, filled in the order the tiles
 * finish (so the parallel run shows its out-of-order completion).
 * On a terminal it redraws one line with \r; otherwise it prints a plain
 * line at every 10 % step.
 */
function progressBar(label, total) {
  const cells = new Array(total).fill(tty ? "·" : ".");
  const started = performance.now();
  let done = 0;
  let lastStep = -1;
  const line = () => {
    const pct = Math.floor((100 * done) / total);
    return `${label.padEnd(11)} [${cells.join("")}] ${String(done).padStart(String(total).length)}/${total} ${String(pct).padStart(3)}% ${fmt(performance.now() - started)}`;
  };
  return {
    tick(index) {
      cells[index] = tty ? "█" : "#";
      done++;
      if (tty) {
        out.write(`\r${line()}\x1b[K`);
      } else {
        const step = Math.floor((10 * done) / total);
        if (step !== lastStep) {
          lastStep = step;
          out.write(`${line()}\n`);
        }
      }
    },
    finish() {
      if (tty) out.write("\n");
      return performance.now() - started;
    },
  };
}

/** One checksum over all tiles in tile order: sha256 of the tile digests. */
function checksum(results) {
  const hash = createHash("sha256");
  for (const r of results) hash.update(r.digest);
  return hash.digest("hex");
}

console.log("parallel-threads demo: Mandelbrot tiles, rendered and hashed");
console.log(
  `  image ${IMAGE.width}×${IMAGE.height}, ${tiles.length} tiles of ${IMAGE.tileWidth}×${IMAGE.tileHeight}, ` +
    `≤${IMAGE.maxIterations} iterations/pixel, ${IMAGE.hashRounds} sha256 rounds/tile`,
);
console.log(`  node ${process.version}, ${cores} cores (${os.cpus()[0]?.model?.trim() ?? "unknown cpu"})`);
console.log("");

// 1. Sequential: the same function, called on the main thread, tile after tile.
console.log("1. sequential, on the main thread");
const sequential = new Array(tiles.length);
const sequentialCpu0 = process.cpuUsage();
let sequentialMs;
{
  const bar = progressBar("sequential", tiles.length);
  for (const tile of tiles) {
    sequential[tile.index] = renderTile(tile);
    bar.tick(tile.index);
  }
  sequentialMs = bar.finish();
}
console.log(`   done in ${fmt(sequentialMs)} (${busy(cpuMs(sequentialCpu0), sequentialMs)})\n`);

// 2. Parallel: one thread call per tile. CPU-bound work gains nothing from
//    more threads than cores, so this executor has one thread per core; the
//    calls past that wait in order for the next free thread.
console.log(`2. parallel-threads, ${cores} threads (one call per tile, progress from asCompleted)`);
const executor = new ParallelExecutor({ maxThreads: cores });
const work = tasks(new URL("./work.mjs", import.meta.url));
const parallelResults = new Array(tiles.length);
const order = [];
const parallelCpu0 = process.cpuUsage();
let parallelMs;
{
  const bar = progressBar("parallel", tiles.length);
  const futures = tiles.map((tile) => executor.executeOne(work.renderTile, tile));
  for await (const record of asCompleted(futures)) {
    if (record.status === "rejected") {
      bar.finish();
      console.error(`tile ${record.index} failed:`, record.reason);
      process.exit(1);
    }
    parallelResults[record.index] = record.value;
    order.push(record.index);
    bar.tick(record.index);
  }
  parallelMs = bar.finish();
}
const parallelCpu = cpuMs(parallelCpu0);
const stats = executor.stats();
executor.close();
const outOfOrder = order.filter((index, i) => index !== i).length;
console.log(
  `   done in ${fmt(parallelMs)}, thread start-up included (${busy(parallelCpu, parallelMs)})\n` +
    `   ${stats.started} calls on ${cores} threads; ${outOfOrder} of ${tiles.length} tiles finished out of tile order\n`,
);
if (cores > 1 && parallelCpu / parallelMs < 0.8 * cores) {
  console.log(
    `   note: the ${cores} threads kept only ${(parallelCpu / parallelMs).toFixed(2)} cores busy: ` +
      `other processes were competing for the CPU (load average ${os.loadavg()[0].toFixed(1)}), so the speedup below is lower\n`,
  );
}

// 3. Compare.
const sequentialSum = checksum(sequential);
const parallelSum = checksum(parallelResults);
const mismatched = tiles.filter(
  (t) =>
    sequential[t.index].digest !== parallelResults[t.index].digest ||
    Buffer.compare(Buffer.from(sequential[t.index].pixels), Buffer.from(parallelResults[t.index].pixels)) !== 0,
);
const speedup = sequentialMs / parallelMs;
console.log("3. results");
console.log(`   sequential checksum ${sequentialSum}`);
console.log(`   parallel   checksum ${parallelSum}`);
console.log(
  `   ${mismatched.length === 0 ? "identical: every tile's pixels and digest match" : `MISMATCH in ${mismatched.length} tiles`}`,
);
console.log(
  `   speedup ×${speedup.toFixed(2)} on ${cores} cores (${fmt(sequentialMs)} → ${fmt(parallelMs)}, ` +
    `${((100 * speedup) / cores).toFixed(0)}% parallel efficiency)`,
);

// 4. The picture, as a PGM file (any image viewer opens it).
const image = Buffer.alloc(IMAGE.width * IMAGE.height);
for (const tile of tiles) {
  const { pixels } = parallelResults[tile.index];
  for (let row = 0; row < tile.height; row++) {
    image.set(pixels.subarray(row * tile.width, (row + 1) * tile.width), (tile.y + row) * IMAGE.width + tile.x);
  }
}
const pgm = path.join(os.tmpdir(), "parallel-threads-demo.pgm");
writeFileSync(pgm, Buffer.concat([Buffer.from(`P5\n${IMAGE.width} ${IMAGE.height}\n255\n`), image]));
console.log(`   image written to ${pgm}`);

if (mismatched.length !== 0) process.exitCode = 1;
