/**
 * The flow the crash and concurrency harnesses run: short (tens of milliseconds), deterministic (every run
 * stores the same values, so a resumed run can be compared with an uninterrupted one hash for hash), and
 * touching every way the local store persists something:
 *
 * - small artifacts inline in manifests (the foreach body, the split branches);
 * - a > 16 KiB JSON blob stored as it is (`notes`, below the size worth compressing);
 * - a > 64 KiB JSON blob that compresses well, stored brotli-compressed (`table`);
 * - a > 1 MiB Float64Array raw blob, hashed while it is written (`samples` of body task 0);
 * - an attachment: a typed array nested in an object (`nested` of body task 1);
 * - a failed attempt followed by a retry that succeeds (body task 2), so failed manifests are committed too;
 * - a manifest of over 512 KiB (`ledger`: 40 inline artifacts of 15 KB), which Node appends in two write
 *   calls: a kill between them leaves a torn record at the end of the log, which readers must not see;
 * - foreach, split and both kinds of join; run.json created, then replaced at the end;
 * - with the `bulkBytes` parameter, a raw blob of that many incompressible bytes (`bulk` of body task 3): the
 *   S3 variant of the crash test makes it larger than the S3 store's multipart threshold, so that kills land
 *   inside multipart uploads (the default, 8 bytes, stays inline and costs nothing).
 *
 * Imported by the child processes (through tsx or a bundle) and by the specs (for reference runs and
 * in-process resumes): it must not import anything but the library.
 */
import * as t from "io-ts"
import { flow, foreach, join, param, split, step } from "../../../lib/index.js"

/** Elements of the big Float64Array: 1.2 MB, above the store's 1 MiB hash-while-writing threshold. */
export const BIG_SAMPLES = 150_000

/** Rows of `table`: about 100 KB of repetitive JSON (above the 64 KiB compression threshold), which brotli
 * shrinks far below the 75% it requires. */
const TABLE_ROWS = 2_000

/** Characters of `notes`: above the 16 KiB inline limit, below the 64 KiB compression threshold. */
const NOTES_LENGTH = 20_000

/** A text of `length` characters that differs by `seed` (built natively: children run everything cold). */
const filler = (length: number, seed: number): string => `${seed}:`.padEnd(length, "lorem ipsum dolor sit amet ")

type Digit = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9
/** The artifacts of the `ledger` step: 40 names. */
type PageName = `page${0 | 1 | 2 | 3}${Digit}`

/** Characters per page: its JSON (the quoted string) stays under the 16 KiB inline limit. */
const PAGE_LENGTH = 15_000

/** 40 pages of 15 KB, each inline in the manifest: about 600 KB of manifest in all. */
const ledger = (): Record<PageName, string> => {
  const pages: Partial<Record<PageName, string>> = {}
  for (let i = 0; i < 40; i++) {
    pages[`page${Math.floor(i / 10) as 0 | 1 | 2 | 3}${(i % 10) as Digit}`] = filler(PAGE_LENGTH, i)
  }
  return pages as Record<PageName, string>
}

/** `size` bytes that no compressor shrinks, the same on every run (an LCG, a 32-bit word at a time). */
const noise = (size: number): Uint8Array => {
  const words = new Uint32Array(Math.ceil(size / 4))
  let x = 0x2545_f491
  for (let i = 0; i < words.length; i++) {
    x = (Math.imul(x, 1_664_525) + 1_013_904_223) >>> 0
    words[i] = x
  }
  return new Uint8Array(words.buffer, 0, size)
}

/** The foreach body task whose `bulk` has `bulkBytes` bytes (the others' have 8). */
const BULK_TASK = 3

const samples = (count: number, scale: number): Float64Array => {
  const values = new Float64Array(count)
  for (let i = 0; i < count; i++) values[i] = (((i * 7919) % 10_007) / 10_007) * scale
  return values
}

/** Builds the flow under `name`, so that the concurrency test can run distinct flows storing related values. */
export const crashFlow = (name: string) =>
  flow(name, {
    params: {
      width: param(t.number, { default: 6, help: "foreach width" }),
      bulkBytes: param(t.number, { default: 8, help: "bytes of body task 3's raw blob" })
    }
  }).pipe(
    step("start", (a) => ({
      items: Array.from({ length: a.width }, (_, i) => i),
      table: Array.from({ length: TABLE_ROWS }, (_, i) => ({ id: i, name: `row-${i % 50}`, score: (i % 97) / a.width })),
      notes: filler(NOTES_LENGTH, 7)
    })),
    step("ledger", () => ledger()),
    foreach(
      "items",
      step(
        "body",
        (a, ctx) => {
          // Task 2 fails its first attempt: a failed manifest is committed before the retry's.
          if (ctx.input === 2 && ctx.attempt === 0) throw new Error("transient failure, retried")
          return {
            square: ctx.input * ctx.input,
            label: `item-${ctx.input}-of-${a.items.length}`,
            samples: samples(ctx.input === 0 ? BIG_SAMPLES : 8, ctx.input + 1),
            nested: { weights: Float32Array.from({ length: ctx.input === 1 ? 20_000 : 4 }, (_, i) => i / 3) },
            bulk: noise(ctx.input === BULK_TASK ? a.bulkBytes : 8)
          }
        },
        { retry: 1 }
      )
    ),
    join("gather", (inputs) => ({
      total: inputs.reduce((sum, input) => sum + input.square, 0),
      labels: inputs.map((input) => input.label),
      checksum: inputs.reduce((sum, input) => sum + input.samples.reduce((s, x) => s + x, 0), 0)
    })),
    split({
      left: step("left", (a) => ({ x: a.total + 1, fromLeft: a.labels.join(",") })),
      right: (f) => f.pipe(step("right1", (a) => ({ x: a.total + 2 })), step("right2", (a) => ({ y: a.x * 2 })))
    }),
    join("merge", { resolve: { x: (xs) => xs.left + xs.right } }),
    step("end", (a) => ({ done: [a.x, a.y, a.fromLeft.length, a.checksum, a.table.length, a.notes.length].join(":") }))
  )

/** The flow the crash harness kills. */
export const Crash = crashFlow("Crash")

/** Tasks an uninterrupted run of {@link crashFlow} commits (attempts of one task count once). */
export const taskCount = (width: number): number => width + 8
