// README example: two resources with asynchronous set-up and teardown,
// entered concurrently and exited in reverse order, as nested `with` blocks.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { parallel } from "parallel-threads";

const log = [];

/** A connection pool: a context manager with async enter and exit. */
function openDatabase(url) {
  return {
    async enter() {
      await sleep(50); // connect
      log.push(`db connected to ${url}`);
      return { query: async (sql) => `rows for ${sql}` };
    },
    async exit(error) {
      await sleep(10); // drain and close
      log.push(error ? `db closed after ${error.message}` : "db closed");
    },
  };
}

/** A cache: an async generator that yields once (like @contextmanager). */
async function* openCache() {
  await sleep(50); // warm up
  log.push("cache ready");
  try {
    yield new Map();
  } finally {
    log.push("cache flushed");
  }
}

const started = performance.now();
const answer = await parallel(openDatabase("postgres://localhost/app"))
  .parallel(openCache())
  .with(async ([db, cache]) => {
    const rows = await db.query("select 1");
    cache.set("select 1", rows);
    return cache.get("select 1");
  });

assert.equal(answer, "rows for select 1");
assert.deepEqual(log.slice(2), ["cache flushed", "db closed"]); // reverse order
assert.ok(performance.now() - started < 1000, "both were set up at the same time");
console.log(answer, "|", log.join(", "));
