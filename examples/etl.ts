/**
 * An ETL flow. `start` parses a CSV file (an `includeFile` parameter: its content is read when the run
 * starts and stored with the run). Two branches then work on the rows in parallel: `validate` drops
 * duplicates and bad amounts, `convert` prices every row in euros. Both branches write `rows` (a conflict
 * the join resolves by keeping the converted rows that passed validation) and `currency` (the join checks
 * that both branches agree, by content hash). `report` totals the orders per customer.
 *
 * Run it: npx tsx --conditions artiflow-source examples/etl.ts
 */
import { fileURLToPath } from "node:url"
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { flow, includeFile, join, param, run, split, step } from "artiflow"
import { isMain, report } from "./main.js"

interface Order {
  readonly id: string
  readonly customer: string
  readonly amount: number
  readonly currency: string
  readonly day: string
}

const parseCsv = (text: string): ReadonlyArray<Order> => {
  const [header, ...lines] = text.trim().split(/\r?\n/)
  const columns = (header ?? "").split(",")
  return lines.map((line) => {
    const cells = Object.fromEntries(line.split(",").map((cell, i) => [columns[i], cell.trim()]))
    return {
      id: cells["id"] ?? "",
      customer: cells["customer"] ?? "",
      amount: Number(cells["amount"]),
      currency: cells["currency"] ?? "",
      day: cells["day"] ?? ""
    }
  })
}

const defaultFile = fileURLToPath(new URL("data/orders.csv", import.meta.url))

export const Etl = pipe(
  flow("Etl", {
    description: "Clean and convert orders, then total them per customer",
    params: {
      orders: includeFile({ default: defaultFile, help: "CSV of orders: id,customer,amount,currency,day" }),
      rates: param(t.record(t.string, t.number), {
        default: { EUR: 1, USD: 0.92, GBP: 1.17 },
        help: "value of one unit of each currency in euros"
      })
    }
  }),
  step("start", (a) => ({ rows: parseCsv(a.orders), currency: "EUR" })),
  split({
    validate: step("validate", (a) => {
      const seen = new Set<string>()
      const rows = a.rows.filter((row) => {
        const fresh = !seen.has(row.id) && Number.isFinite(row.amount) && row.amount > 0
        seen.add(row.id)
        return fresh
      })
      return { rows, rejected: a.rows.length - rows.length, currency: "EUR" }
    }),
    convert: step("convert", (a) => ({
      rows: a.rows.map((row) => ({ ...row, amount: row.amount * (a.rates[row.currency] ?? Number.NaN), currency: "EUR" })),
      currency: "EUR"
    }))
  }),
  join("merge", {
    resolve: {
      rows: (rows) => {
        const valid = new Set(rows.validate.map((row) => row.id))
        const kept = new Set<string>()
        return rows.convert.filter((row) => valid.has(row.id) && !kept.has(row.id) && kept.add(row.id) !== undefined)
      }
    },
    equal: ["currency"]
  }),
  step("report", (a, ctx) => {
    const totals: Record<string, number> = {}
    for (const row of a.rows) totals[row.customer] = Math.round(((totals[row.customer] ?? 0) + row.amount) * 100) / 100
    const top = Object.entries(totals).sort(([, x], [, y]) => y - x)[0]
    ctx.log(`${a.rows.length} orders kept, ${a.rejected} rejected`)
    return { totals, top: top === undefined ? "none" : `${top[0]} (${top[1]} ${a.currency})` }
  })
)

if (isMain(import.meta.url)) report(await run(Etl))
