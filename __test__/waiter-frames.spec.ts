/**
 * Errors name the code that waits for them, at no cost to calls that succeed
 * (README "Errors"): a thread's error awaited through user async functions
 * ends with their frames (V8's async stack traces), one thrown by
 * `resultsSync()` with its synchronous caller's; the success path makes no
 * Error at all (a child process counts them).
 */
import test from "ava";
import { execFile } from "node:child_process";
import path from "node:path";

import { ParallelExecutor, parallel } from "parallel-threads";

const ROOT = path.join(__dirname, "../..");
const MARKER = "    at parallel() call site:";

function boom(what: string): never {
  throw new TypeError(`boom: ${what}`);
}

async function innerService(): Promise<unknown> {
  return await parallel(boom)("awaited").results();
}

async function outerHandler(): Promise<unknown> {
  return await innerService();
}

function syncCaller(): unknown {
  return parallel(boom)("sync").resultsSync();
}

async function futureService(): Promise<unknown> {
  return await ParallelExecutor.executeOne(boom, "future");
}

async function settledService(): Promise<unknown> {
  const [record] = await parallel(boom)("settled").settled();
  return record.status === "rejected" ? record.reason : undefined;
}

/** The part of a stack after the marker (the program's frames). */
function programFrames(stack: string | undefined): string {
  const at = (stack ?? "").indexOf(MARKER);
  return at < 0 ? "" : (stack ?? "").slice(at + MARKER.length);
}

test("a thread's error awaited through two async functions names both, after the thread's own frames", async (t) => {
  const error = (await outerHandler().catch((e: unknown) => e)) as Error;
  t.true(error instanceof TypeError);
  t.regex(error.stack ?? "", /^TypeError: boom: awaited\n\s+at boom /, "the thread's frames come first");
  t.notRegex(error.stack?.split(MARKER)[0] ?? "", /Module\._compile|runInCore/, "no frames of the thread's machinery");
  const frames = programFrames(error.stack);
  t.regex(frames, /at async innerService \(.*waiter-frames\.spec\.(js|ts)/, error.stack);
  t.regex(frames, /at async outerHandler \(.*waiter-frames\.spec\.(js|ts)/, error.stack);
  t.notRegex(frames, /dist[/\\]index\.js/, "no library frames");
});

test("resultsSync() names its synchronous caller", (t) => {
  const error = t.throws(syncCaller, { instanceOf: TypeError })!;
  t.regex(programFrames(error.stack), /at syncCaller \(.*waiter-frames\.spec\.(js|ts)/, error.stack);
});

test("await future and settled() name the awaiting function", async (t) => {
  const viaFuture = (await futureService().catch((e: unknown) => e)) as Error;
  t.regex(programFrames(viaFuture.stack), /at async futureService /, viaFuture.stack);
  const viaSettled = (await settledService()) as Error;
  t.regex(programFrames(viaSettled.stack), /at async settledService /, viaSettled.stack);
});

test("the frames are appended once, by the first code that waits", async (t) => {
  const calls = parallel(boom)("twice");
  const first = (await calls.results().catch((e: unknown) => e)) as Error;
  const again = (await calls.futures[0].then(undefined, (e: unknown) => e)) as Error;
  t.is(first, again);
  t.is(first.stack?.split(MARKER).length, 2, first.stack);
});

test("a .then()-only caller gets the thread's frames and no program frames", async (t) => {
  const error = await new Promise<Error>((resolve) => {
    void parallel(boom)("then").results().then(undefined, resolve);
  });
  t.regex(error.stack ?? "", /^TypeError: boom: then/);
  t.log(`a .then()-only caller sees:\n${error.stack}`);
});

test("the success path makes no Error: results, resultsSync, futures, settled, asCompleted, wait", async (t) => {
  const script = `
const counts = { constructed: 0, captured: 0 };
const capture = Error.captureStackTrace;
Error.captureStackTrace = function (...args) { counts.captured++; return capture.apply(this, args); };
globalThis.Error = new Proxy(Error, { construct(target, args, newTarget) { counts.constructed++; return Reflect.construct(target, args, newTarget); } });
const { parallel, ParallelExecutor, wait, asCompleted } = require(${JSON.stringify(ROOT)});
(async () => {
  const square = (n) => n * n;
  await parallel(square)(1).results(); // warm: the first call loads what it needs
  const before = { ...counts };
  for (let i = 0; i < 200; i++) {
    await parallel(square)(i).parallel(async (n) => n + 1)(i).results();
    parallel(square)(i).resultsSync();
    await ParallelExecutor.executeOne(square, i);
    await parallel(square)(i).settled();
    for await (const record of parallel(square)(i).asCompleted()) void record;
    await wait([ParallelExecutor.executeOne(square, i)]);
    for await (const record of asCompleted([ParallelExecutor.executeOne(square, i)])) void record;
  }
  console.log(JSON.stringify({ constructed: counts.constructed - before.constructed, captured: counts.captured - before.captured }));
  process.exit(0);
})();
`;
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ["-e", script], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(stderr || String(error))) : resolve(stdout),
    ),
  );
  t.deepEqual(JSON.parse(out.trim().split("\n").pop()!), { constructed: 0, captured: 0 });
});

test("an inline function's frames on the thread read as its name, not an eval in the library", async (t) => {
  const error = (await outerHandler().catch((e: unknown) => e)) as Error;
  t.regex(error.stack ?? "", /\n\s+at boom \(parallel-threads\/inline\/boom\.js:\d+:\d+\)/, error.stack);
  t.notRegex(error.stack?.split(MARKER)[0] ?? "", /eval at compiled/);
});
