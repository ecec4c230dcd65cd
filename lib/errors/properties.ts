/** Own data properties defined the way errors carry them (shared by the error classes and the error codec). */

/** Defines an own enumerable data property (as an assigned property is). */
export function defineData(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Defines an own non-enumerable data property (as `name`, `stack` and `cause` are on an error). */
export function defineHidden(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true });
}
