/**
 * Thrown values crossing threads: the face of the value codec
 * (value-codec.ts) that the runtime uses. The thread encodes what a call
 * threw (`encodeThrown`, lossy: what can't be cloned is dropped and named,
 * nesting past MAX_ERROR_DEPTH is cut); the caller rebuilds it
 * (`decodeThrown`) and appends the `parallel()` call site's frames to the
 * stack of the error it rejects with.
 */
import { appendFrames, framesOf } from "../errors/call-site-frames.js";
import { decode, encode, holdsError, type Envelope } from "./value-codec.js";

export { MAX_ERROR_DEPTH } from "./value-codec.js";
export type { EncodedError, EncodedRecord, EncodedUncloneable } from "./value-codec.js";
export type { BuiltinErrorName, LibraryErrorName } from "./error-classes.js";

/** Anything thrown, encoded to cross threads: the codec's envelope. */
export type EncodedThrown = Envelope;

/** The line between the thread's frames and the call site's in a decoded `stack`. */
export { CALL_SITE_SEPARATOR } from "../errors/call-site-frames.js";

/**
 * Encodes anything thrown into plain data that `v8.serialize` accepts (run
 * in the thread). Errors keep name, message, stack, class, `code`, `cause`
 * and `errors` (recursively), and their own enumerable properties that
 * clone; the others are named in `lost`. A value, cause or member that can't
 * be cloned is sent as a description.
 */
export function encodeThrown(value: unknown): EncodedThrown {
  return encode(value, "lossy");
}

/**
 * Rebuilds a thrown value from `encodeThrown`'s data (run in the caller);
 * see the codec's `decode`. Non-Error values come back as they were; an
 * uncloneable one becomes an `Error` with code `ERR_PARALLEL_UNCLONEABLE_THROW`.
 *
 * `callSiteStack` (an `Error().stack` taken at the `parallel()` call) is
 * appended to the top-level error's stack after {@link CALL_SITE_SEPARATOR};
 * nested causes keep their thread stacks only.
 */
export function decodeThrown(data: EncodedThrown, callSiteStack?: string): unknown {
  const decoded = decode(data);
  if (callSiteStack !== undefined && holdsError(data)) {
    const frames = framesOf(callSiteStack);
    const error = decoded as Error;
    appendFrames(error, frames);
  }
  return decoded;
}
