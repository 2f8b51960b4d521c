/**
 * A flow configured by a JSON file (a config, Metaflow's `Config`). The file `examples/data/forecast.json`
 * says which moving-average windows to try and when to raise an alert; it is read and checked against its
 * io-ts codec when the run starts (a typo in it stops the run before anything is stored, naming the field),
 * and its value is a read-only artifact typed by the codec. `start` makes a synthetic daily series, `score`
 * measures each window's one-day-ahead error in parallel, `pick` keeps the best, `end` decides on the alert.
 *
 * Run it: npx tsx --conditions artiflow-source examples/config.ts
 * With another file: npx artiflow run examples/config.ts --config settings my-forecast.json
 * (paths given to --config, and a config's default when it is relative, are relative to the current
 * directory; this example's default is made absolute so that the example runs from anywhere).
 */
import { fileURLToPath } from "node:url"
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { config, flow, foreach, join, param, run, step } from "artiflow"
import { isMain, report } from "./main.js"

/** What the config file holds: checked field by field when the run starts. */
const Settings = t.type({
  series: t.string,
  windows: t.array(t.number),
  alert: t.type({ threshold: t.number, notify: t.array(t.string) })
})

const defaultFile = fileURLToPath(new URL("data/forecast.json", import.meta.url))

/** Visits per day: a weekly rhythm on a slow upward trend, the same every run. */
const visits = (days: number): ReadonlyArray<number> =>
  Array.from({ length: days }, (_, day) => Math.round(100 + day * 0.5 + 15 * Math.sin((2 * Math.PI * day) / 7)))

const mean = (values: ReadonlyArray<number>): number => values.reduce((sum, value) => sum + value, 0) / values.length

/** Mean absolute error of predicting each day by the mean of the `window` days before it. */
const backtest = (series: ReadonlyArray<number>, window: number): number => {
  const errors = series.slice(window).map((actual, i) => Math.abs(actual - mean(series.slice(i, i + window))))
  return Math.round(mean(errors) * 100) / 100
}

export const Forecast = pipe(
  flow("Forecast", {
    description: "Pick the moving-average window that forecasts best, and alert above a threshold",
    params: { days: param(t.number, { default: 60, help: "days of history" }) },
    configs: { settings: config(Settings, { default: defaultFile, help: "series, windows to try and alert rule" }) }
  }),
  step("start", (a) => ({ history: visits(a.days), windows: a.settings.windows })),
  foreach(
    "windows",
    step("score", (a, ctx) => ({ window: ctx.input, error: backtest(a.history, ctx.input) }))
  ),
  join("pick", (inputs) => {
    const best = inputs.reduce((x, y) => (y.error < x.error ? y : x))
    return { best: { window: best.window, error: best.error } }
  }),
  step("end", (a) => {
    const forecast = Math.round(mean(a.history.slice(-a.best.window)))
    const alert = forecast > a.settings.alert.threshold
    const to = alert ? `; alert sent to ${a.settings.alert.notify.join(", ")}` : ""
    return {
      forecast,
      alert,
      summary: `${a.settings.series}: ${forecast} tomorrow (window ${a.best.window}, error ${a.best.error})${to}`
    }
  })
)

if (isMain(import.meta.url)) report(await run(Forecast))
