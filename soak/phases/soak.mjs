// Soak phase: tiny calls through chains (`parallel(f)(i).parallel(g)(i)…results()`) and
// `executeOne`, 64 in flight, half on the default executor (`parallel`,
// `ParallelExecutor.executeOne`: sync and async calls) and half on an executor of our own (whose
// stats() we read; sync calls only, like a pool for CPU work), 4 threads each. Every result must
// arrive exactly once and be right; RSS must grow < 20 MiB from the end of the warm-up (200,000
// calls: by then V8 has grown the main isolate's young generation to its size under this load, a
// step of ~15 MiB on Node 22 between 100,000 and 200,000 calls) to the end; the threads must come
// back to rest (busy 0, queued 0), retire, and the OS thread count come back.
//
// RSS is sampled with the soak paused (nothing in flight) after a full GC in every isolate: the
// main one (global.gc: the runner re-runs itself with --expose-gc) and each pool thread (one gated
// call per thread; threads inherit --expose-gc). Without the thread GCs the figure mostly measures
// when each isolate last ran a major GC; the table also shows that figure. Each soak thread's
// young generation is capped at 4 MiB (--natural-heaps to lift it): V8 grows semi-spaces under
// allocation pressure (bounded, ~40 MiB of heap per thread, not a leak).

import { isDeepStrictEqual } from "node:util";
import { TINY, heapProbe } from "../lib/calls.mjs";
import { describe, pickStats } from "../lib/describe.mjs";
import { MiB, memory, mib, osThreads } from "../lib/memory.mjs";
import { eventually, watchdog } from "../lib/time.mjs";

export async function runSoak(ctx) {
  const { o, lib, figures, check } = ctx;
  const { ParallelExecutor } = lib;

  // Both soak executors: 8 threads each (16 in all, the default maxThreads here), a short
  // idleTimeout, and unless --natural-heaps a young generation capped at 4 MiB per thread: V8
  // grows each isolate's semi-spaces under allocation pressure (up to ~40 MiB of heapTotal per
  // thread, bounded, not a leak), which would otherwise hide or fake a leak in the RSS figure.
  const soakOptions = {
    maxThreads: o.soakThreads,
    idleTimeout: o.idleTimeout,
    ...(o.naturalHeaps ? {} : { resourceLimits: { maxYoungGenerationSizeMb: 4 } }),
  };
  ParallelExecutor.configureDefault(soakOptions);
  const osThreadsBaseline = osThreads();
  const memStart = await memory();
  const own = new ParallelExecutor(soakOptions);
  const heaps = threadHeaps(ParallelExecutor, own, soakOptions.maxThreads);

  process.stdout.write(`soak: ${o.calls} calls (seed ${o.seed})… `);
  const soakResult = await soak(ctx, { own, heaps, memStart });
  process.stdout.write(`${soakResult.callsPerSecond} calls/s\n`);

  const threadsAtEnd = osThreads();
  const restingOwn = await eventually(() => {
    const s = own.stats();
    return s.busy === 0 && s.queued === 0 && s.starting === 0;
  }, 5_000);
  const ownAtRest = own.stats();
  // Idle threads retire after idleTimeout (from their last call). Measure how long it takes
  // for the own executor, then for the OS thread count (default executor too) to come back.
  const restAt = performance.now();
  const retired = await eventually(() => own.stats().threads === 0, o.idleTimeout + 20_000);
  const retireMs = Math.round(performance.now() - restAt);
  const ownRetired = own.stats();
  const osBack = await eventually(() => osThreads() === undefined || osThreads() <= osThreadsBaseline, 20_000);
  const osRetireMs = Math.round(performance.now() - restAt);
  const osThreadsRetired = osThreads();
  own.close();

  const rssGrowth = soakResult.memEnd.rss - soakResult.memWarm.rss;
  figures.soak = {
    ...soakResult,
    memStart: undefined,
    memWarm: undefined,
    memEnd: undefined,
    rssStartMiB: mib(soakResult.memStart.rss),
    rssAfterWarmupMiB: mib(soakResult.memWarm.rss),
    rssEndMiB: mib(soakResult.memEnd.rss),
    rssGrowthMiB: mib(rssGrowth),
    heapUsedAfterWarmupMiB: mib(soakResult.memWarm.heapUsed),
    heapUsedEndMiB: mib(soakResult.memEnd.heapUsed),
    warmupCalls: o.warmup,
  };
  figures.threads = {
    osBaseline: osThreadsBaseline,
    osAtEndOfSoak: threadsAtEnd,
    osAfterIdleTimeout: osThreadsRetired,
    peakDuringSoak: Math.max(...soakResult.samples.map((s) => s.osThreads ?? 0)),
    ownExecutorAtRest: pickStats(ownAtRest),
    ownExecutorAfterIdleTimeout: pickStats(ownRetired),
    idleTimeoutMs: o.idleTimeout,
    ownRetiredAfterMs: retireMs,
    osBackToBaselineAfterMs: osBack ? osRetireMs : null,
    youngGenerationCapMiB: o.naturalHeaps ? null : 4,
  };
  check("soak: no watchdog or stall", !soakResult.hung, `${soakResult.arrived}/${o.calls} arrived`);
  check(
    "soak: every result arrived exactly once",
    soakResult.missing === 0 && soakResult.arrivedTwice === 0 && soakResult.duplicates === 0,
    `missing ${soakResult.missing}, twice ${soakResult.arrivedTwice}`,
  );
  check(
    "soak: every result right",
    soakResult.wrong === 0 && soakResult.failed === 0,
    `wrong ${soakResult.wrong}, failed ${soakResult.failed} ${JSON.stringify(soakResult.wrongSamples.slice(0, 3))}`,
  );
  check("soak: RSS growth after warm-up < 20 MiB", rssGrowth < 20 * MiB, `${mib(rssGrowth)} MiB`);
  check(
    "soak: own executor back to idle (busy 0, queued 0, idle = threads)",
    restingOwn && ownAtRest.busy === 0 && ownAtRest.queued === 0 && ownAtRest.idle === ownAtRest.threads,
    JSON.stringify(pickStats(ownAtRest)),
  );
  check(
    "soak: own executor counted every call (started = fulfilled, failed 0)",
    ownAtRest.started === soakResult.callsOnOwnExecutor + heaps.probeCalls &&
      ownAtRest.fulfilled === ownAtRest.started &&
      ownAtRest.failed === 0,
    `started ${ownAtRest.started}, fulfilled ${ownAtRest.fulfilled}, failed ${ownAtRest.failed}, sent ${soakResult.callsOnOwnExecutor} + ${heaps.probeCalls} heap probes`,
  );
  // A generous bound: threads whose last call was async retire late (see the failing test in
  // __test__/reliability.spec.ts); the table shows the time it took.
  check(
    "soak: idle threads retire (within idleTimeout + 15 s)",
    retired && retireMs <= o.idleTimeout + 15_000,
    `${retireMs} ms, ${JSON.stringify(pickStats(ownRetired))}`,
  );
  if (osThreadsBaseline !== undefined) {
    check(
      "soak: OS thread count back to its pre-soak level",
      osBack,
      `baseline ${osThreadsBaseline}, after ${osThreadsRetired}`,
    );
  }
}

/**
 * `sample()`: a full GC in every thread of both soak executors (one gated call per thread, so
 * each lands on a thread of its own), then their V8 heaps, MiB. Without it RSS samples mostly
 * measure when each isolate last ran a major GC: native memory held by garbage wrappers (V8
 * doesn't see it) piles up between major GCs and is freed by them. `probeCalls`: the calls it
 * sent to the own executor (and as many to the default one).
 */
function threadHeaps(ParallelExecutor, own, n) {
  const heaps = {
    probeCalls: 0,
    async sample() {
      const ownGate = new SharedArrayBuffer(4);
      const defaultGate = new SharedArrayBuffer(4);
      const futures = [];
      for (let t = 0; t < n; t++) {
        futures.push(own.executeOne(heapProbe, ownGate, n));
        futures.push(ParallelExecutor.executeOne(heapProbe, defaultGate, n));
      }
      heaps.probeCalls += n; // on the own executor (and as many on the default one)
      const probes = await Promise.all(futures);
      const sum = (k) => mib(probes.reduce((a, p) => a + p[k], 0));
      return {
        threads: new Set(probes.map((p) => p.threadId)).size,
        heapTotalMiB: sum("heapTotal"),
        heapUsedMiB: sum("heapUsed"),
        externalMiB: sum("external"),
      };
    },
  };
  return heaps;
}

/** The calls of the soak, `o.inFlight` at a time, pausing to sample memory; their figures. */
async function soak({ o, lib, rand, pick }, { own, heaps, memStart }) {
  const { parallel, ParallelExecutor } = lib;
  const N = o.calls;
  // The own executor gets synchronous calls only (a pool for CPU work): its threads then run
  // call after call without turning their event loops, as such a pool's threads do.
  const defaultKinds = o.kinds;
  const ownKinds = o.kinds.filter((k) => !TINY[k][0].constructor.name.startsWith("Async"));
  const seen = new Uint8Array(N);
  let issued = 0;
  let arrived = 0;
  let inFlight = 0;
  let wrong = 0;
  let duplicates = 0;
  let failed = 0;
  let toOwn = 0;
  let chains = 0;
  let singles = 0;
  const wrongSamples = [];
  const samples = [];
  let activeMs = 0;
  let segmentStart = performance.now();
  let paused = false;
  let memWarm;
  let heapsWarm;
  let naturalWarm;
  let lastProgress = Date.now();

  const sampleAt = new Set();
  for (let k = 1; k <= o.samples; k++) sampleAt.add(Math.round(o.warmup + ((N - o.warmup) * k) / o.samples));

  const arrive = (id, kind, value) => {
    seen[id]++;
    if (seen[id] > 1) duplicates++;
    const expected = TINY[kind][2](id);
    if (!(typeof expected === "object" ? isDeepStrictEqual(value, expected) : value === expected)) {
      wrong++;
      if (wrongSamples.length < 10) wrongSamples.push({ id, kind, value, expected });
    }
  };
  const failAll = (ids, error) => {
    failed += ids.length;
    if (wrongSamples.length < 10) wrongSamples.push({ ids: ids.slice(0, 4), error: describe(error) });
    for (const id of ids) {
      seen[id]++;
      if (seen[id] > 1) duplicates++;
    }
  };

  let finish;
  const done = new Promise((resolve) => {
    finish = resolve;
  });

  const afterSettle = (count) => {
    inFlight -= count;
    const before = arrived;
    arrived += count;
    lastProgress = Date.now();
    const crossedWarmup = before < o.warmup && arrived >= o.warmup;
    let crossedSample = false;
    for (let k = before + 1; k <= arrived; k++) if (sampleAt.has(k)) crossedSample = true;
    if (arrived >= N) {
      activeMs += performance.now() - segmentStart;
      finish();
      return;
    }
    if (crossedWarmup || crossedSample) {
      paused = true;
      void pauseAndSample(crossedWarmup);
      return;
    }
    if (!paused) pump();
  };

  async function pauseAndSample(isWarmup) {
    // Let what is in flight finish, measure at rest, go on.
    await eventually(() => inFlight === 0, 60_000);
    activeMs += performance.now() - segmentStart;
    const natural = await memory(); // GC in this isolate only
    const threads = await heaps.sample();
    const m = await memory(); // after a GC in every isolate
    if (isWarmup) {
      heapsWarm = threads;
      memWarm = m;
      naturalWarm = natural;
    }
    samples.push({
      calls: arrived,
      rssMiB: mib(m.rss),
      naturalRssMiB: mib(natural.rss),
      heapUsedMiB: mib(m.heapUsed),
      osThreads: osThreads(),
    });
    segmentStart = performance.now();
    paused = false;
    pump();
  }

  function pump() {
    while (!paused && inFlight < o.inFlight && issued < N) {
      const useOwn = rand() < o.ownShare && ownKinds.length > 0;
      const useKinds = useOwn ? ownKinds : defaultKinds;
      if (rand() >= o.chainShare) {
        const id = issued++;
        const kind = useKinds[pick(useKinds.length)];
        const [fn, args] = TINY[kind];
        inFlight++;
        singles++;
        if (useOwn) toOwn++;
        const future = useOwn ? own.executeOne(fn, ...args(id)) : ParallelExecutor.executeOne(fn, ...args(id));
        future.then(
          (value) => {
            arrive(id, kind, value);
            afterSettle(1);
          },
          (error) => {
            failAll([id], error);
            afterSettle(1);
          },
        );
      } else {
        const length = Math.min(1 + pick(4), N - issued);
        const ids = [];
        const kinds = [];
        let chain;
        for (let j = 0; j < length; j++) {
          const id = issued++;
          const kind = useKinds[pick(useKinds.length)];
          const [fn, args] = TINY[kind];
          ids.push(id);
          kinds.push(kind);
          if (j === 0) chain = useOwn ? own.parallel(fn)(...args(id)) : parallel(fn)(...args(id));
          else chain = chain.parallel(fn)(...args(id));
        }
        inFlight += length;
        chains++;
        if (useOwn) toOwn += length;
        chain.results().then(
          (values) => {
            if (values.length !== length) {
              wrong++;
              wrongSamples.push({ ids, values, note: "wrong number of results" });
            }
            for (let j = 0; j < length; j++) arrive(ids[j], kinds[j], values[j]);
            afterSettle(length);
          },
          (error) => {
            failAll(ids, error);
            afterSettle(length);
          },
        );
      }
    }
  }

  const t0 = performance.now();
  pump();
  // A stall detector on top of the phase watchdog: no result for 30 s is a hang.
  const stall = setInterval(() => {
    if (Date.now() - lastProgress > 30_000) finish({ stalled: true });
  }, 1_000);
  const outcome = await watchdog(done, o.soakTimeout);
  clearInterval(stall);
  const wallMs = performance.now() - t0;
  await eventually(() => inFlight === 0, 10_000);
  const naturalEnd = await memory();
  const heapsEnd = await heaps.sample();
  const memEnd = await memory();
  let missing = 0;
  let twice = 0;
  for (let id = 0; id < N; id++) {
    if (seen[id] === 0) missing++;
    else if (seen[id] > 1) twice++;
  }
  return {
    hung: outcome.hung || Boolean(outcome.value?.stalled),
    calls: N,
    issued,
    arrived,
    missing,
    arrivedTwice: twice,
    duplicates,
    wrong,
    failed,
    wrongSamples,
    chains,
    executeOne: singles,
    callsOnOwnExecutor: toOwn,
    inFlight: o.inFlight,
    wallMs: Math.round(wallMs),
    activeMs: Math.round(activeMs),
    callsPerSecond: Math.round((N / activeMs) * 1000),
    memStart,
    memWarm: memWarm ?? memStart,
    memEnd,
    naturalRssGrowthMiB: naturalWarm ? mib(naturalEnd.rss - naturalWarm.rss) : undefined,
    threadHeapsAfterWarmup: heapsWarm,
    threadHeapsEnd: heapsEnd,
    samples,
  };
}
