/**
 * Telling data-only class instances (storable as plain objects) from objects with behaviour (not storable:
 * the methods would be lost on reload). Results are cached per prototype: arrays of class instances pay once.
 */

const cache = new WeakMap<object, ReadonlyArray<string>>()

/** Own method and accessor names of one prototype, "constructor" excepted. */
const ownMethodNames = (proto: object): Array<string> =>
  Object.getOwnPropertyNames(proto).filter((name) => {
    if (name === "constructor") return false
    const descriptor = Object.getOwnPropertyDescriptor(proto, name)
    return (
      descriptor !== undefined &&
      (typeof descriptor.value === "function" || descriptor.get !== undefined || descriptor.set !== undefined)
    )
  })

const collect = (proto: object): ReadonlyArray<string> => {
  const names = new Set<string>()
  for (
    let p: object | null = proto;
    p !== null && p !== Object.prototype;
    p = Object.getPrototypeOf(p) as object | null
  ) {
    for (const name of ownMethodNames(p)) names.add(name)
  }
  return [...names].sort()
}

/**
 * Names of the methods and accessors an object inherits from its prototype chain below `Object.prototype`
 * (sorted). Empty for plain objects and data-only class instances.
 */
export const inheritedMethodNames = (value: object): ReadonlyArray<string> => {
  const proto = Object.getPrototypeOf(value) as object | null
  if (proto === null || proto === Object.prototype) return []
  let names = cache.get(proto)
  if (names === undefined) {
    names = collect(proto)
    cache.set(proto, names)
  }
  return names
}

const LISTED = 5

/** "an object with methods (fit, predict)", listing at most five names. */
export const describeMethods = (names: ReadonlyArray<string>): string => {
  const listed = names.slice(0, LISTED).join(", ")
  return `an object with methods (${names.length > LISTED ? `${listed}, ...` : listed})`
}
