// The figures table the runner prints at the end (the same figures as the JSON).

export function printTable(f) {
  const rows = [];
  const section = (title) => rows.push([`— ${title}`, ""]);
  const row = (k, v) => rows.push([k, typeof v === "object" ? JSON.stringify(v) : String(v)]);
  const s = f.soak;
  section(`soak (${f.mode}, seed ${f.seed}, ${f.node}, ${f.platform}, ${f.cpus} cpus)`);
  row(
    "calls",
    `${s.calls} (${s.chains} chains, ${s.executeOne} executeOne; ${s.callsOnOwnExecutor} on an own executor), ${s.inFlight} in flight`,
  );
  row(
    "calls/s",
    `${s.callsPerSecond} (active ${(s.activeMs / 1000).toFixed(1)} s, wall ${(s.wallMs / 1000).toFixed(1)} s)`,
  );
  row("arrived once / missing / twice", `${s.arrived} / ${s.missing} / ${s.arrivedTwice}`);
  row("wrong / failed", `${s.wrong} / ${s.failed}`);
  row(
    "RSS start → after warm-up → end",
    `${s.rssStartMiB} → ${s.rssAfterWarmupMiB} (${s.warmupCalls} calls) → ${s.rssEndMiB} MiB`,
  );
  row("RSS growth after warm-up", `${s.rssGrowthMiB} MiB (limit 20; after a full GC in every isolate)`);
  row("  same, GC in the main isolate only", `${s.naturalRssGrowthMiB} MiB (for information)`);
  row("main heap used after warm-up → end", `${s.heapUsedAfterWarmupMiB} → ${s.heapUsedEndMiB} MiB`);
  if (s.threadHeapsAfterWarmup && s.threadHeapsEnd) {
    const a = s.threadHeapsAfterWarmup;
    const b = s.threadHeapsEnd;
    row(
      "thread heaps after GC, total/used",
      `${a.heapTotalMiB}/${a.heapUsedMiB} → ${b.heapTotalMiB}/${b.heapUsedMiB} MiB (${b.threads} threads)`,
    );
  }
  row(
    "RSS samples, calls:MiB (GC everywhere/main only)",
    s.samples.map((x) => `${x.calls}:${x.rssMiB}/${x.naturalRssMiB}`).join(" "),
  );
  const t = f.threads;
  section("threads");
  row(
    "OS threads: baseline / peak / end of soak / after idleTimeout",
    `${t.osBaseline} / ${t.peakDuringSoak} / ${t.osAtEndOfSoak} / ${t.osAfterIdleTimeout}`,
  );
  row("own executor at rest", t.ownExecutorAtRest);
  row("own executor after idleTimeout", t.ownExecutorAfterIdleTimeout);
  row(
    "idle threads retired after (idleTimeout)",
    `${t.ownRetiredAfterMs} ms (${t.idleTimeoutMs} ms); OS threads back to baseline after ${t.osBackToBaselineAfterMs} ms`,
  );
  row(
    "young generation cap per thread",
    t.youngGenerationCapMiB === null ? "none (--natural-heaps)" : `${t.youngGenerationCapMiB} MiB`,
  );
  for (const [name, r] of Object.entries(f.faults)) {
    section(`fault: ${name}`);
    row("faults → outcomes", `${r.faults} → ${JSON.stringify(r.faultOutcomes)}`);
    row("healthy → outcomes", `${r.healthy} → ${JSON.stringify(r.healthyOutcomes)}`);
    row("unsettled / settled twice / problems", `${r.unsettled} / ${r.settledTwice} / ${r.problems}`);
    if (r.causes) row("causes (the call's own timer)", `${r.causes.own}`);
    if (r.mechanisms) row("cancel means used", r.mechanisms);
    row("call:end events (calls, duplicates)", `${r.endEvents.calls}, ${r.endEvents.duplicates}`);
    row(
      "executor after",
      `busy ${r.stats.busy}, queued ${r.stats.queued}, threads ${r.stats.threads}, started ${r.stats.started}, failed ${r.stats.failed}`,
    );
    row("duration", `${(r.durationMs / 1000).toFixed(1)} s${r.hung ? " — WATCHDOG FIRED" : ""}`);
  }
  const m = f.mainExit;
  section(`main program exits (${m.children} child processes, ${m.parallelBatch} at a time)`);
  row("ok / hung / over 5 s", `${m.ok} / ${m.hung} / ${m.slowOver5s}`);
  row("child wall time p50 / p95 / max", `${m.msP50} / ${m.msP95} / ${m.msMax} ms`);
  row(
    "by mode (runs, ok)",
    Object.entries(m.byMode)
      .map(([k, v]) => `${k} ${v.ok}/${v.runs}`)
      .join(", "),
  );
  row("duration", `${(m.durationMs / 1000).toFixed(1)} s`);
  section("checks");
  for (const c of f.checks) rows.push([`${c.ok ? "ok  " : "FAIL"} ${c.name}`, c.ok ? "" : c.detail]);
  row("total duration", `${(f.durationMs / 1000).toFixed(1)} s`);
  row("verdict", f.ok ? "PASS" : "FAIL");
  const width = Math.min(60, Math.max(...rows.map(([k]) => k.length)));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
}
