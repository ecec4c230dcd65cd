// Short descriptions for the figures: errors, executor stats, percentiles.

export function describe(error) {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `thrown ${typeof error}: ${String(error)}`;
}

export function errorName(error) {
  return error instanceof Error ? error.name : `non-Error ${typeof error}`;
}

export function pickStats(s) {
  return {
    threads: s.threads,
    idle: s.idle,
    busy: s.busy,
    starting: s.starting,
    queued: s.queued,
    started: s.started,
    fulfilled: s.fulfilled,
    failed: s.failed,
  };
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
