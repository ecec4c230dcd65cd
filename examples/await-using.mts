// README example: `await using` over entered contexts (TypeScript compiles
// `await using` for every supported Node; run with tsx).
import assert from "node:assert/strict";
import { parallel } from "parallel-threads";

const log: string[] = [];

class Connection implements AsyncDisposable {
  constructor(readonly name: string) {}
  async [Symbol.asyncDispose](): Promise<void> {
    log.push(`closed ${this.name}`);
  }
}

async function connect(name: string): Promise<Connection> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  log.push(`opened ${name}`);
  return new Connection(name);
}

{
  await using ctx = await parallel(connect("db")).parallel(connect("cache")).enter();
  const [db, cache] = ctx; // typed [Connection, Connection]
  assert.equal(db.name + cache.name, "dbcache");
}

assert.deepEqual(log.slice(2), ["closed cache", "closed db"]); // reverse order, at scope end
console.log(log.join(", "));
