/**
 * Storable values with exactly one part that is not storable (a function, a symbol, a Promise, a WeakMap,
 * an object with methods...) placed anywhere: the value itself, an object key, an array slot, a Map key or
 * value, a Set member, an error field. Each comes with the failure the codec must report: what the part is
 * and its path, written as `lib/codec/path.ts` documents ("model.predict", "items[3]", "cache.<Map value>",
 * '["a b"].c'). The values are trees (no shared references), so the path to the part is unique.
 */
import fc from "fast-check"
import { storableShape } from "./arbitraries.js"
import type { Entry, Shape } from "./shape.js"

class Model {
  weights = [1, 2]
  predict(): number {
    return this.weights.length
  }
  fit(): void {}
}

export interface Poison {
  readonly what: string
  readonly make: () => unknown
}

const POISONS: ReadonlyArray<Poison> = [
  { what: "a function", make: () => () => 1 },
  { what: "a symbol", make: () => Symbol("s") },
  { what: "a symbol", make: () => Object(Symbol("boxed")) as unknown },
  { what: "a Promise", make: () => Promise.resolve(1) },
  { what: "a WeakMap", make: () => new WeakMap() },
  { what: "a WeakSet", make: () => new WeakSet() },
  { what: "a WeakRef", make: () => new WeakRef({}) },
  { what: "an object with methods (fit, predict)", make: () => new Model() }
]

type Segment = string | number | { readonly label: string }

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/** The documented path format: `.name` (no dot first), `["odd key"]`, `[index]`, `.<Map key>`. */
const formatPath = (segments: ReadonlyArray<Segment>): string =>
  segments
    .map((segment, i) => {
      if (typeof segment === "number") return `[${segment}]`
      if (typeof segment === "string") {
        if (!IDENTIFIER.test(segment)) return `[${JSON.stringify(segment)}]`
        return i === 0 ? segment : `.${segment}`
      }
      return i === 0 ? segment.label : `.${segment.label}`
    })
    .join("")

/** A place to put the poison: where it ends up and how to rebuild the shape with it there. */
interface Slot {
  readonly path: ReadonlyArray<Segment>
  readonly place: (poison: Shape) => Shape
}

const freshKey = (entries: ReadonlyArray<Entry>, variant: number): string => {
  const base = ["poisoned", "a b", "0", "__proto__", "model"][variant % 5] as string
  let key = base
  while (entries.some(([k]) => k === key) || key === "stack" || key === "message") key += "_"
  return key
}

const sameKey = (a: Shape, b: Shape): boolean =>
  a.kind === "primitive" &&
  b.kind === "primitive" &&
  (a.value === b.value || (Number.isNaN(a.value) && Number.isNaN(b.value)))

/** Whether the Map entry at `index` is replaced by a later entry with the same (primitive) key. */
const overwritten = (entries: ReadonlyArray<readonly [Shape, Shape]>, index: number): boolean =>
  entries.slice(index + 1).some(([key]) => sameKey(key, (entries[index] as readonly [Shape, Shape])[0]))

/** Every slot of a shape: the value itself, and one more entry in each container. */
const slotsOf = (shape: Shape, path: ReadonlyArray<Segment>, variant: number): ReadonlyArray<Slot> => {
  const here: Slot = { path, place: (poison) => poison }
  const inside = (child: Shape, segment: Segment, rebuild: (child: Shape) => Shape): ReadonlyArray<Slot> =>
    slotsOf(child, [...path, segment], variant).map((slot) => ({
      path: slot.path,
      place: (poison) => rebuild(slot.place(poison))
    }))
  switch (shape.kind) {
    case "array": {
      const index = shape.items.length
      const appended: Slot = {
        path: [...path, index],
        place: (poison) => ({ ...shape, items: [...shape.items, poison] })
      }
      const nested = shape.items.flatMap((item, i) =>
        item === "hole"
          ? []
          : inside(item, i, (child) => ({ ...shape, items: shape.items.map((it, j) => (j === i ? child : it)) }))
      )
      return [here, appended, ...nested]
    }
    case "object":
    case "error": {
      const entries = shape.kind === "object" ? shape.entries : shape.fields
      const withEntries = (next: ReadonlyArray<Entry>): Shape =>
        shape.kind === "object" ? { ...shape, entries: next } : { ...shape, fields: next }
      const key = freshKey(entries, variant)
      const added: Slot = { path: [...path, key], place: (poison) => withEntries([...entries, [key, poison]]) }
      const nested = entries.flatMap(([k, value], i) =>
        inside(value, k, (child) => withEntries(entries.map((entry, j) => (j === i ? [k, child] : entry))))
      )
      return [here, added, ...nested]
    }
    case "map": {
      const one: Shape = { kind: "primitive", value: 1 }
      const asKey: Slot = {
        path: [...path, { label: "<Map key>" }],
        place: (poison) => ({ ...shape, entries: [...shape.entries, [poison, one]] })
      }
      // A fresh object key: a primitive one could replace an existing entry's value in place of adding one.
      const asValue: Slot = {
        path: [...path, { label: "<Map value>" }],
        place: (poison) => ({
          ...shape,
          entries: [...shape.entries, [{ kind: "object", entries: [], nullPrototype: false }, poison]]
        })
      }
      const nested = shape.entries.flatMap(([k, v], i) => [
        ...inside(k, { label: "<Map key>" }, (child) => ({
          ...shape,
          entries: shape.entries.map((e, j) => (j === i ? [child, v] : e))
        })),
        // A value whose primitive key comes again later is replaced by the later one: it never reaches the Map.
        ...(overwritten(shape.entries, i)
          ? []
          : inside(v, { label: "<Map value>" }, (child) => ({
              ...shape,
              entries: shape.entries.map((e, j) => (j === i ? [k, child] : e))
            })))
      ])
      return [here, asKey, asValue, ...nested]
    }
    case "set": {
      const added: Slot = {
        path: [...path, { label: "<Set member>" }],
        place: (poison) => ({ ...shape, members: [...shape.members, poison] })
      }
      const nested = shape.members.flatMap((m, i) =>
        inside(m, { label: "<Set member>" }, (child) => ({
          ...shape,
          members: shape.members.map((it, j) => (j === i ? child : it))
        }))
      )
      return [here, added, ...nested]
    }
    default:
      return [here]
  }
}

/**
 * A storable tree with one poison in it (the value itself replaced, or one entry added to a container), the
 * poison, and the path the codec must report.
 */
export const poisonedShape: fc.Arbitrary<{ readonly shape: Shape; readonly poison: Poison; readonly path: string }> = fc
  .tuple(storableShape({ refs: false, maxDepth: 3 }), fc.nat(), fc.constantFrom(...POISONS), fc.nat())
  .map(([shape, at, poison, variant]) => {
    const slots = slotsOf(shape, [], variant)
    const slot = slots[at % slots.length] as Slot
    return { shape: slot.place({ kind: "opaque", make: poison.make }), poison, path: formatPath(slot.path) }
  })
