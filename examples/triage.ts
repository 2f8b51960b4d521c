/**
 * Routing work by a computed category with `choose`. `start` loads a batch of support tickets; `foreach`
 * classifies each one (a bug report, a billing question, or anything else) and `choose` sends it down the
 * path for its category: bugs are deduplicated against known issues and given a severity, billing questions
 * get a refund estimate, the rest an automatic reply. The compiler checks that every category has a case and
 * that what the join reads exists whichever case ran; the client later tells which case each ticket took,
 * and `artiflow show` draws it.
 *
 * Run it: npx tsx --conditions artiflow-source examples/triage.ts
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { choose, flow, foreach, join, param, run, step } from "artiflow"
import { isMain, report } from "./main.js"

interface Ticket {
  readonly id: number
  readonly text: string
  readonly amount?: number
}

const defaultTickets: ReadonlyArray<Ticket> = [
  { id: 1, text: "The export crashes with an error when the file is empty" },
  { id: 2, text: "I was charged twice this month", amount: 49 },
  { id: 3, text: "How do I change my avatar?" },
  { id: 4, text: "Crash on login since the last update" },
  { id: 5, text: "Please refund the annual plan, I cancelled", amount: 490 }
]

const knownIssues: Readonly<Record<string, number>> = { login: 812, export: 790 }

/** The category a ticket's text falls in: a union of literals, so `choose` can check its cases. */
const categorize = (text: string): "bug" | "billing" | "other" =>
  /crash|error|broken/i.test(text) ? "bug" : /charge|refund|invoice/i.test(text) ? "billing" : "other"

const ticketCodec = t.readonly(t.intersection([t.type({ id: t.number, text: t.string }), t.partial({ amount: t.number })]))

export const Triage = pipe(
  flow("Triage", {
    description: "Route support tickets by a computed category",
    params: { tickets: param(t.readonlyArray(ticketCodec), { default: defaultTickets, help: "tickets to triage" }) }
  }),
  step("start", (a) => ({ batch: a.tickets })),
  foreach(
    "batch",
    (f) =>
      pipe(
        f,
        step("classify", (_a, ctx) => ({ ticket: ctx.input.id, category: categorize(ctx.input.text) })),
        choose("category", {
          bug: (g) =>
            pipe(
              g,
              step("dedupe", (_a, ctx) => {
                const word = Object.keys(knownIssues).find((key) => ctx.input.text.toLowerCase().includes(key))
                return { duplicateOf: word === undefined ? null : (knownIssues[word] ?? null) }
              }),
              step("severity", (a) => ({ action: a.duplicateOf === null ? "file a new bug (high)" : `link to issue #${a.duplicateOf}` }))
            ),
          billing: step("refund", (_a, ctx) => ({ action: `refund up to $${Math.min(ctx.input.amount ?? 0, 100)}` })),
          other: step("autoReply", () => ({ action: "send the help-centre article" }))
        })
      )
  ),
  join("collect", (inputs) => ({
    // `action` is written by every case: it is typed string after the choose. `duplicateOf` is not (only bugs).
    plan: inputs.map((input) => `#${input.ticket} ${input.category}: ${input.action}`),
    counts: countBy(inputs.map((input) => input.category))
  })),
  step("end", (a) => ({
    // Sorted: a stored object's key order is not kept (a value loaded elsewhere may list its keys in another order).
    summary: `${a.plan.length} tickets: ${Object.entries(a.counts)
      .sort(([k1], [k2]) => k1.localeCompare(k2))
      .map(([k, n]) => `${n} ${k}`)
      .join(", ")}`
  }))
)

function countBy(values: ReadonlyArray<string>): Readonly<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1
  return counts
}

if (isMain(import.meta.url)) report(await run(Triage))
