/** Type tests of parallel contexts: the entered tuple for each kind of context. */
import { parallel, type ContextManager, type Entered, type ParallelContexts } from "parallel-threads";

import { expectType, type Equal, type Expect } from "./util.js";

interface Db {
  query(sql: string): Promise<string[]>;
}

declare function dbManager(): ContextManager<Db>;
declare function asyncEnterManager(): { enter(): Promise<number>; exit(error?: unknown): Promise<boolean> };
declare function syncGen(): Generator<string, void, unknown>;
declare function asyncGen(): AsyncGenerator<bigint, void, unknown>;

class Lock implements Disposable {
  held = true;
  [Symbol.dispose](): void {
    this.held = false;
  }
}
class Socket implements AsyncDisposable {
  open = true;
  async [Symbol.asyncDispose](): Promise<void> {
    this.open = false;
  }
}
declare function connect(): Promise<Socket>;

export async function eachKindInfersItsValue(): Promise<void> {
  const chain = parallel(dbManager())
    .parallel(asyncEnterManager())
    .parallel(syncGen())
    .parallel(asyncGen())
    .parallel(new Lock())
    .parallel(new Socket())
    .parallel(connect());
  type _chain = Expect<Equal<typeof chain, ParallelContexts<[Db, number, string, bigint, Lock, Socket, Socket]>>>;

  const entered = await chain.enter();
  type _entered = Expect<Equal<typeof entered, Entered<[Db, number, string, bigint, Lock, Socket, Socket]>>>;
  const [db, n, text, big, lock, socket, connected] = entered;
  expectType<Db>()(db);
  expectType<number>()(n);
  expectType<string>()(text);
  expectType<bigint>()(big);
  expectType<Lock>()(lock);
  expectType<Socket>()(socket);
  expectType<Socket>()(connected);
  expectType<PromiseLike<void>>()(entered[Symbol.asyncDispose]());
}

export async function withReturnsTheBlocksResult(): Promise<void> {
  const rows = await parallel(dbManager())
    .parallel(syncGen())
    .with(async ([db, text]) => {
      expectType<Db>()(db);
      expectType<string>()(text);
      return db.query(text);
    });
  // undefined when an exit suppressed the block's error
  expectType<string[] | undefined>()(rows);
}

export function optionsAndMisuse(): void {
  parallel(dbManager(), { timeout: 100, parallelExit: true });
  // @ts-expect-error parallelExit is a boolean
  parallel(dbManager(), { parallelExit: "yes" });
  // @ts-expect-error a number is not a context
  parallel(dbManager()).parallel(42);
  // @ts-expect-error a plain object without enter/exit is not a context
  parallel(dbManager()).parallel({ open: true });
  // @ts-expect-error a function is a call, never a context: not in a context chain
  parallel(dbManager()).parallel(() => 1);
}
