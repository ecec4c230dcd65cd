/**
 * The MessagePorts between the spawner isolate and each of its threads:
 * payloads that must be moved (transfers) or shared (SharedArrayBuffers)
 * travel there, read synchronously with `receiveMessageOnPort`.
 */

import { receiveMessageOnPort, type MessagePort } from "node:worker_threads";

import { CloneError } from "../errors/errors.js";
import type { PortMessage } from "./transport.js";

/** Messages read from a port before their call asked for them. */
const early = new Map<number, PortMessage>();

/** Posts the payload of `call` on `port`; `CloneError` when something in `transfer` can't move. */
export function post(port: MessagePort, call: number, payload: unknown, transfer: PortMessage["transfer"]): void {
  const message: PortMessage = { call, payload, transfer: [] };
  try {
    port.postMessage(message, transfer as never[]);
  } catch (error) {
    throw moveFailed(error);
  }
}

/**
 * A copy of `value` that owns what `transfer` lists (detached here: moved,
 * not copied); `CloneError` when something in the list can't move.
 */
export function moveOut<T>(value: T, transfer: PortMessage["transfer"]): T {
  try {
    return structuredClone(value, { transfer: transfer as never[] });
  } catch (error) {
    throw moveFailed(error);
  }
}

/** What a failed move becomes (say, a MessagePort that already moved elsewhere, or a closed one). */
function moveFailed(error: unknown): CloneError {
  const why = error instanceof Error ? error.message : String(error);
  return new CloneError(`transfer(): what the list names could not be moved: ${why}`, {
    valueType: "transfer() list",
    cause: error,
  });
}

/** Reads the message of `call` from `ports` if it has arrived (keeping others for later). */
export function receive(ports: Iterable<MessagePort>, call: number): PortMessage | undefined {
  const found = early.get(call);
  if (found !== undefined) {
    early.delete(call);
    return found;
  }
  for (const port of ports) {
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
      const message = m.message as PortMessage;
      if (message.call === call) return message;
      early.set(message.call, message);
    }
  }
  return undefined;
}
