/**
 * Errors and Buffers inside argument and result values: the face of the
 * value codec (value-codec.ts) that transport.ts and clone-check.ts use.
 * Structured clone keeps only an error's built-in class, message, stack and
 * cause, and makes a Buffer a Uint8Array over a copy of its whole
 * ArrayBuffer; when the clone check finds an error with more (`losesParts`)
 * or a Buffer, the value crosses as the codec's envelope (`toEnvelope`),
 * encoded exactly (the clone check has refused what can't be cloned), and is
 * rebuilt on the other side (`fromEnvelope`). Shared references and cycles
 * are kept.
 */
import { decode, encode, type Envelope } from "./value-codec.js";

export { isEnvelope, losesParts } from "./value-codec.js";

/**
 * `value` as an envelope in which every error and Buffer is a record;
 * `moved`: what is transferred with it (its `transfer()` lists).
 */
export function toEnvelope(value: unknown, moved?: ReadonlySet<unknown>): Envelope {
  return encode(value, "exact", moved);
}

/** The value inside a received envelope, its errors and Buffers rebuilt (its containers restored in place). */
export function fromEnvelope(envelope: Envelope): unknown {
  return decode(envelope);
}
