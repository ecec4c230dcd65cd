// A module of tasks: threads import it once and keep it loaded.
import { createHash } from "node:crypto";

/** sha256 of `text`, `rounds` times over. */
export function digest(text, rounds) {
  let value = text;
  for (let i = 0; i < rounds; i++) value = createHash("sha256").update(value).digest("hex");
  return value;
}

/** Words of `text`, counted. */
export async function countWords(text) {
  return text.split(/\s+/).filter(Boolean).length;
}
