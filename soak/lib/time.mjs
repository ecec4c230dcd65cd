// Waiting: delays, polling until a condition holds, and the phases' watchdog.

export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function eventually(predicate, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (predicate()) return true;
    if (Date.now() > deadline) return false;
    await delay(20);
  }
}

/** Races `promise` against a watchdog; resolves `{ hung: true }` when the watchdog fires first. */
export async function watchdog(promise, ms) {
  let timer;
  const fired = new Promise((resolve) => {
    timer = setTimeout(() => resolve({ hung: true }), ms);
  });
  try {
    return await Promise.race([promise.then((value) => ({ hung: false, value })), fired]);
  } finally {
    clearTimeout(timer);
  }
}
