/**
 * Errors inside argument and result values: the face of the error codec
 * (error-codec.ts) that transport.ts and clone-check.ts use. Structured
 * clone keeps only an error's built-in class, message, stack and cause; when
 * the clone check finds an error with more (`losesParts`), the value crosses
 * as the codec's envelope (`wrapErrors`), encoded exactly (the clone check
 * has refused what can't be cloned), and is rebuilt on the other side
 * (`unwrapErrors`). Shared references and cycles are kept.
 */
import { decode, encode, type Envelope } from "./error-codec.js";

export { isEnvelope, losesParts } from "./error-codec.js";

/** `value` as an envelope in which every error is a record. */
export function wrapErrors(value: unknown): Envelope {
  return encode(value, "exact");
}

/** The value inside a received envelope, its errors rebuilt (its containers restored in place). */
export function unwrapErrors(envelope: Envelope): unknown {
  return decode(envelope);
}
