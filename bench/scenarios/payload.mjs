// Scenario: 16 MiB ArrayBuffer round trip, copied or transferred: the thread
// returns its byteLength; or (`echo`) a 16 MiB Uint8Array copied both ways:
// the thread returns it. Buffers are allocated and touched outside the timing.
import { withSystem, now } from "../lib/harness.mjs";
import { median, percentile, round } from "../lib/stats.mjs";

const SIZE = 16 * 2 ** 20;

export async function run({ load, threads, quick, transfer, echo }) {
  if (echo) return runEcho({ load, threads, quick });
  const warm = quick ? 2 : 3;
  const n = quick ? 5 : 20;
  return withSystem(load, { threads }, async (sys) => {
    const ms = [];
    let detached = true;
    for (let i = 0; i < warm + n; i++) {
      const buf = new ArrayBuffer(SIZE);
      new Uint8Array(buf).fill(i & 255);
      const t = now();
      const r = await sys.call("byteLength", buf, { transfer });
      const dt = now() - t;
      if (r !== SIZE) throw new Error(`wrong byteLength ${r}`);
      if (buf.byteLength !== 0) detached = false;
      if (i >= warm) ms.push(dt);
    }
    if (transfer && !detached) throw new Error("buffer was not transferred (still attached)");
    return {
      metric: `16 MiB ${transfer ? "transfer" : "copy"} round trip`,
      unit: "ms",
      value: round(median(ms), 3),
      extra: { p95: round(percentile(ms, 95), 3), min: round(Math.min(...ms), 3), n, threads },
    };
  });
}

/** 16 MiB Uint8Array copied to the thread and back (the result direction measured too). */
async function runEcho({ load, threads, quick }) {
  const warm = quick ? 2 : 3;
  const n = quick ? 5 : 20;
  return withSystem(load, { threads }, async (sys) => {
    const ms = [];
    for (let i = 0; i < warm + n; i++) {
      const bytes = new Uint8Array(SIZE).fill(i & 255);
      const t = now();
      const back = await sys.call("echo", bytes);
      const dt = now() - t;
      if (!(back instanceof Uint8Array) || back.length !== SIZE || back[SIZE - 1] !== (i & 255))
        throw new Error("the echo did not come back whole");
      if (back.buffer === bytes.buffer) throw new Error("the echo came back as the same buffer (not copied)");
      if (i >= warm) ms.push(dt);
    }
    return {
      metric: "16 MiB Uint8Array echoed (copied both ways)",
      unit: "ms",
      value: round(median(ms), 3),
      extra: { p95: round(percentile(ms, 95), 3), min: round(Math.min(...ms), 3), n, threads },
    };
  });
}
