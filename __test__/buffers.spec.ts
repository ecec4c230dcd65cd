/**
 * Buffers stay Buffers (issue 16): a `Buffer` crosses threads as a `Buffer`
 * — as an argument, a result, inside values, inside errors (thrown or
 * returned), thrown itself, with `resultsSync()`, `transfer()` and
 * `transferResult` — and only its own bytes are copied (a small Buffer does
 * not ship Node's 8 KiB pool). Other typed arrays and DataViews keep their
 * exact class and byteOffset, as structured clone makes them. The types say
 * the same: a `Buffer` parameter or result is typed `Buffer`.
 *
 * Functions given to parallel() are re-created inside a thread: they use
 * only their arguments and the globals a worker has.
 */
import test from "ava";

import { ParallelExecutor, parallel, transfer, type ParallelCalls } from "parallel-threads";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<A, B>(_proof: Equal<A, B>): void {}
/** Whether `A` is a Buffer (of any ArrayBuffer: `Buffer.from` gives `Buffer<ArrayBuffer>`). */
type IsBuffer<A> = A extends Buffer ? (Uint8Array extends A ? false : true) : false;

const executor = new ParallelExecutor({ maxThreads: 2 });
test.after.always(() => executor.close());

/** What a thread saw of a Buffer argument. */
interface Seen {
  isBuffer: boolean;
  hex: string;
  byteOffset: number;
  arrayBufferBytes: number;
}

function seen(b: Buffer): Seen {
  return {
    isBuffer: Buffer.isBuffer(b),
    hex: b.toString("hex"),
    byteOffset: b.byteOffset,
    arrayBufferBytes: b.buffer.byteLength,
  };
}

test("a small (pooled) Buffer argument arrives as a Buffer over a copy of its own bytes alone", async (t) => {
  const pooled = Buffer.from("hi");
  t.true(pooled.buffer.byteLength > pooled.length, "Node put it in its pool");
  const [view] = await executor.parallel(seen)(pooled).results();
  t.deepEqual(view, { isBuffer: true, hex: "6869", byteOffset: 0, arrayBufferBytes: 2 });
  const [text] = await executor
    .parallel((b: Buffer) => b.toString("hex"))(pooled)
    .results();
  t.is(text, "6869", "not the comma-joined bytes of a Uint8Array");
});

test("a Buffer returned from a thread is a Buffer, its ArrayBuffer only its bytes", async (t) => {
  const [got] = await executor
    .parallel(() => Buffer.from("hello"))()
    .results();
  assertType<IsBuffer<typeof got>, true>(true);
  t.true(Buffer.isBuffer(got));
  t.is(got.toString(), "hello");
  t.is(got.buffer.byteLength, 5);
  const [sync] = executor
    .parallel((b: Buffer) => Buffer.concat([b, b]))(Buffer.from("ab"))
    .resultsSync();
  t.true(Buffer.isBuffer(sync));
  t.is(sync.toString(), "abab");
});

test("a Buffer that spans its ArrayBuffer keeps its relation to it; one that is part of a larger one is copied alone", async (t) => {
  const whole = new ArrayBuffer(8);
  const spanning = Buffer.from(whole);
  const part = Buffer.from(new ArrayBuffer(64), 16, 4).fill(9);
  const [back] = await executor
    .parallel((v: { spanning: Buffer; whole: ArrayBuffer; part: Buffer }) => {
      v.spanning[0] = 1; // visible through `whole` only if they are still one
      return {
        ...v,
        related: new Uint8Array(v.whole)[0] === 1,
        partBytes: v.part.buffer.byteLength,
        partOffset: v.part.byteOffset,
      };
    })({ spanning, whole, part })
    .results();
  t.true(back.related, "the spanning Buffer is a view of the ArrayBuffer sent beside it");
  t.true(back.spanning.buffer === back.whole, "and arrives back as one");
  t.deepEqual([back.partBytes, back.partOffset], [4, 0]);
  t.true(Buffer.isBuffer(back.part));
  t.deepEqual([...back.part], [9, 9, 9, 9]);
});

test("Buffers inside arrays, objects, Maps and Sets arrive as Buffers, shared references kept", async (t) => {
  const b = Buffer.from("x");
  const [back] = await executor
    .parallel((v: { list: Buffer[]; map: Map<string, Buffer>; set: Set<Buffer> }) => ({
      ...v,
      same: v.list[0] === v.list[1] && v.map.get("k") === v.list[0],
      kinds: [Buffer.isBuffer(v.list[0]), Buffer.isBuffer(v.map.get("k")), Buffer.isBuffer([...v.set][0])],
    }))({ list: [b, b], map: new Map([["k", b]]), set: new Set([b]) })
    .results();
  t.true(back.same, "one Buffer, referenced three times, arrives as one");
  t.deepEqual(back.kinds, [true, true, true]);
  t.true(Buffer.isBuffer(back.list[0]));
  t.is(back.list[0], back.list[1]);
  t.is(back.map.get("k"), back.list[0]);
  t.is([...back.set][0], back.list[0]);
});

test("Buffers inside errors arrive as Buffers: thrown, returned, as a cause, and a thrown Buffer itself", async (t) => {
  const [thrown, returned, bare] = await executor
    .parallel(() => {
      throw Object.assign(new Error("bad frame", { cause: { frame: Buffer.from([1, 2]) } }), {
        payload: Buffer.from("raw"),
      });
    })()
    .parallel(() => Object.assign(new TypeError("as a value"), { bytes: Buffer.from([7]) }))()
    .parallel(() => {
      throw Buffer.from("thrown");
    })()
    .settled();
  t.is(thrown.status, "rejected");
  const error = (thrown as { reason: Error & { payload: Buffer; cause: { frame: Buffer } } }).reason;
  t.true(Buffer.isBuffer(error.payload));
  t.is(error.payload.toString(), "raw");
  t.true(Buffer.isBuffer(error.cause.frame));
  t.is(returned.status, "fulfilled");
  const value = (returned as { value: TypeError & { bytes: Buffer } }).value;
  t.true(value instanceof TypeError);
  t.true(Buffer.isBuffer(value.bytes));
  t.is(bare.status, "rejected");
  const reason = (bare as { reason: unknown }).reason;
  t.true(Buffer.isBuffer(reason), "a thrown non-Error arrives unchanged, a Buffer as a Buffer");
  t.is((reason as Buffer).toString(), "thrown");
  t.false("stack" in (reason as object), "no frames are appended to a Buffer");
});

test("transfer(): a Buffer spanning its ArrayBuffer moves it; a pooled one is copied (the pool can't move)", async (t) => {
  const big = Buffer.alloc(1 << 20, 3);
  const [moved] = await executor
    .parallel((b: Buffer) => [Buffer.isBuffer(b), b.length, b[12345]] as const)(transfer(big))
    .results();
  t.deepEqual(moved, [true, 1 << 20, 3]);
  t.is(big.length, 0, "the sender's Buffer is detached");
  const pooled = Buffer.from("small");
  const [copied] = await executor
    .parallel((b: Buffer) => b.toString())(transfer(pooled))
    .results();
  t.is(copied, "small");
  t.is(pooled.toString(), "small", "still usable: nothing was moved");
});

test("transferResult: Buffers come back as Buffers, moved", async (t) => {
  const [result] = await executor
    .parallel(() => ({ big: Buffer.alloc(1 << 16, 5), small: Buffer.from("s") }), { transferResult: true })()
    .results();
  t.true(Buffer.isBuffer(result.big));
  t.is(result.big.length, 1 << 16);
  t.is(result.big[100], 5);
  t.true(Buffer.isBuffer(result.small));
  t.is(result.small.toString(), "s");
});

test("a Buffer over a SharedArrayBuffer arrives as a Buffer over the same shared memory", async (t) => {
  const shared = Buffer.from(new SharedArrayBuffer(4));
  await executor
    .parallel((b: Buffer) => {
      b.write("ok!!");
      return Buffer.isBuffer(b) && b.buffer instanceof SharedArrayBuffer;
    })(shared)
    .results()
    .then(([ok]) => t.true(ok));
  t.is(shared.toString(), "ok!!", "the thread wrote to the caller's memory");
});

test("other typed arrays and DataViews keep their exact class and byteOffset", async (t) => {
  const base = new ArrayBuffer(32);
  const sent = {
    u16: new Uint16Array(base, 4, 2),
    f64: new Float64Array(base, 8, 1),
    i8: new Int8Array(base, 3, 5),
    view: new DataView(base, 2, 6),
    clamped: new Uint8ClampedArray(new ArrayBuffer(4), 1),
    big: new BigInt64Array(2),
  };
  const [back] = await executor
    .parallel((v: typeof sent) => v)(sent)
    .results();
  for (const key of Object.keys(sent) as (keyof typeof sent)[]) {
    t.is(Object.getPrototypeOf(back[key]), Object.getPrototypeOf(sent[key]), `${key} class`);
    t.is(back[key].byteOffset, sent[key].byteOffset, `${key} byteOffset`);
    t.is(back[key].byteLength, sent[key].byteLength, `${key} byteLength`);
    t.false(Buffer.isBuffer(back[key]), `${key} is not made a Buffer`);
  }
  t.is(back.u16.buffer, back.view.buffer, "views of one ArrayBuffer arrive as views of one copy");
});

test("a Uint8Array is not made a Buffer, and a Buffer is typed Buffer through chains, map and executeOne", async (t) => {
  const [plain] = await executor
    .parallel((u: Uint8Array) => u)(new Uint8Array([1, 2]))
    .results();
  t.false(Buffer.isBuffer(plain));
  t.is(Object.getPrototypeOf(plain), Uint8Array.prototype);

  const chain: ParallelCalls<[Buffer, string]> = executor
    .parallel((s: string) => Buffer.from(s))("a")
    .parallel((b: Buffer) => b.toString("base64"))(Buffer.from("b"));
  const [a, b64] = await chain.results();
  t.true(Buffer.isBuffer(a));
  t.is(b64, "Yg==");

  const mapped = await executor.map((s: string) => Buffer.from(s), ["x", "y"]);
  assertType<IsBuffer<(typeof mapped)[number]>, true>(true);
  t.true(mapped.every((m) => Buffer.isBuffer(m)));
  t.deepEqual(
    mapped.map((m) => m.toString()),
    ["x", "y"],
  );

  const one = await executor.executeOne((b: Buffer) => b.reverse(), Buffer.from([1, 2, 3]));
  t.deepEqual([...one], [3, 2, 1]);
  t.true(Buffer.isBuffer(one));
});

test("large results (1 MiB and more) come back whole and copied: typed arrays, a Buffer, inside objects, sync and async", async (t) => {
  const big = (n: number): { bytes: Uint8Array; floats: Float64Array; buffer: Buffer; label: string } => {
    const bytes = new Uint8Array(n).fill(7);
    bytes[n - 1] = 9;
    const floats = new Float64Array(n / 8).fill(0.5);
    return { bytes, floats, buffer: Buffer.alloc(n, 3), label: `size ${n}` };
  };
  const size = 2 * 2 ** 20;
  for (const result of [
    (await parallel(big)(size).results())[0],
    parallel(big)(size).resultsSync()[0],
    await executor.executeOne(async (n: number) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return new Uint8Array(n).fill(5);
    }, size),
  ]) {
    if (result instanceof Uint8Array) {
      t.is(result.length, size);
      t.is(result[size - 1], 5);
      continue;
    }
    t.is(result.label, `size ${size}`);
    t.true(result.bytes instanceof Uint8Array && !Buffer.isBuffer(result.bytes));
    t.is(result.bytes.length, size);
    t.is(result.bytes[size - 1], 9);
    t.true(result.floats instanceof Float64Array && result.floats[0] === 0.5);
    t.true(Buffer.isBuffer(result.buffer), "a Buffer stays a Buffer");
    t.is(result.buffer.length, size);
  }
  const many = await executor.map((n: number) => new Int32Array(n).fill(n), [2 ** 18, 2 ** 19, 3]);
  t.deepEqual(
    many.map((a) => [a.length, a[0]]),
    [
      [2 ** 18, 2 ** 18],
      [2 ** 19, 2 ** 19],
      [3, 3],
    ],
  );
});
