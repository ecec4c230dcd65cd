// Buffers stay Buffers across threads, and only their own bytes are copied
// (README "Where a call runs").
import { parallel } from "parallel-threads";

const [hex, packed] = await parallel((b: Buffer) => b.toString("hex"))(Buffer.from("hi"))
  .parallel((text: string) => {
    const { gzipSync } = require("node:zlib") as typeof import("node:zlib");
    return gzipSync(text); // a Buffer, and it arrives as one
  })("hello ".repeat(100))
  .results();

if (hex !== "6869") throw new Error(`expected 6869, got ${hex}`);
if (!Buffer.isBuffer(packed)) throw new Error("the gzip result did not arrive as a Buffer");
console.log(hex, packed); // 6869 <Buffer 1f 8b 08 00 …>
