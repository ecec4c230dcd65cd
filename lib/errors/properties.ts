/** Own data properties defined the way errors carry them (shared by the error classes and the value codec). */

/** Defines an own enumerable data property (as an assigned property is). */
export function defineData(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Defines an own non-enumerable data property (as `name`, `stack` and `cause` are on an error). */
export function defineHidden(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true });
}

/**
 * Gives a class its own name back: the bundle renames classes it wraps for
 * lazy loading (`_TimeoutError`), and `console.log` shows that name.
 */
export function keepName(cls: Function, name: string): void {
  Object.defineProperty(cls, "name", { value: name, configurable: true });
}
