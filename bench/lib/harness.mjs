// Child-side helpers: set a system up, run a body with it, always tear it down
// (bounded, so a hanging teardown can't hold the child), plus small utilities.
export const now = () => performance.now();
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    // kept ref'd on purpose: a teardown whose promise never settles (seen with
    // poolifier's destroy()) must not let the loop drain and exit the child with 13
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function withSystem(load, options, body) {
  const mod = await load();
  const sys = await mod.setup(options);
  try {
    return await body(sys);
  } finally {
    await teardown(sys);
  }
}

export async function teardown(sys) {
  await withTimeout(
    Promise.resolve().then(() => sys.teardown()),
    3000,
    "teardown",
  ).catch((e) => console.error(`teardown: ${e.message}`));
}

// Checks a result and counts mismatches (a wrong answer is a bug, not noise).
export function checker() {
  let wrong = 0;
  return {
    check(actual, expected) {
      if (actual !== expected) wrong++;
    },
    get wrong() {
      return wrong;
    },
  };
}
