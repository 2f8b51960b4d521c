/**
 * Setting a property whose name comes from outside (a stored artifact or parameter name, a key read from
 * disk). Plain assignment of "__proto__" sets the object's prototype instead of a property.
 */

/** Sets `key` on `target` as an ordinary own, enumerable property, whatever the key (even "__proto__"). */
export const setOwnProperty = (target: object, key: string, value: unknown): void => {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else (target as Record<string, unknown>)[key] = value
}
