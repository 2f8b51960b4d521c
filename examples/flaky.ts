/**
 * Scores customer reviews with a (simulated) remote sentiment service, one foreach task per review, four at
 * a time, then summarizes the scores. The service is flaky on purpose: with `FLAKY_FAIL_ITEM=<n>` in the
 * environment, the call for review n times out, the task fails and so does the run. Every review scored
 * before that stays stored, so `resume` runs only what is left:
 *
 *   FLAKY_FAIL_ITEM=7 artiflow run examples/flaky.ts   # fails in score/7, exit code 1
 *   artiflow show Flaky                                 # the graph: score failed; the failed task's error
 *   artiflow dump Flaky/<run>/score/7                   # its error, logs and artifacts
 *   artiflow resume examples/flaky.ts                   # reuses the 11 scores, scores review 7 again
 *
 * (In this repository, after `npm run build`, `artiflow` is `node dist/cli/main.js`.)
 * Run it without the CLI: npx tsx --conditions artiflow-source examples/flaky.ts
 */
import { setTimeout as sleep } from "node:timers/promises"
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { flow, foreach, join, param, run, step } from "artiflow"
import { isMain, report } from "./main.js"

const REVIEWS = [
  "Great sound and the battery lasts all week, love it",
  "Stopped working after two days, very disappointed",
  "Decent value for the price, nothing special",
  "The best purchase I made this year, excellent build",
  "Terrible support, slow shipping and a broken box",
  "Works fine, easy to set up",
  "Awful noise when charging, returned it",
  "Good quality, fast delivery, happy with it",
  "Poor manual but great product once it runs",
  "Cheap plastic, bad buttons, would not recommend",
  "Excellent, exactly as described",
  "Okay for the price but the app is slow"
]

const POSITIVE = new Set(["great", "love", "best", "excellent", "good", "happy", "fast", "easy", "fine", "value", "decent"])
const NEGATIVE = new Set(["disappointed", "terrible", "slow", "broken", "awful", "poor", "bad", "cheap", "not", "stopped"])

/** How long the simulated service takes per review, and how long before a call times out. */
const LATENCY_MS = 20
const TIMEOUT_MS = 250

/** A lexicon score in (-1, 1): (positive words - negative words) / (sentiment words + 1). */
const sentiment = (text: string): number => {
  const words = text.toLowerCase().match(/[a-z]+/g) ?? []
  const positive = words.filter((word) => POSITIVE.has(word)).length
  const negative = words.filter((word) => NEGATIVE.has(word)).length
  return (positive - negative) / (positive + negative + 1)
}

/** The review the service fails on, from `FLAKY_FAIL_ITEM` (read at call time, so a resume can run without it). */
const failingItem = (): number | undefined => {
  const text = process.env["FLAKY_FAIL_ITEM"]
  return text === undefined || text === "" ? undefined : Number(text)
}

/** The remote call: a little latency, or a timeout for the failing review. */
const callService = async (index: number, text: string, signal: AbortSignal): Promise<number> => {
  if (failingItem() === index) {
    await sleep(TIMEOUT_MS, undefined, { signal })
    throw new Error(`sentiment service timed out after ${TIMEOUT_MS}ms on review ${index}`)
  }
  await sleep(LATENCY_MS + (index % 3) * 5, undefined, { signal })
  return sentiment(text)
}

export const Flaky = pipe(
  flow("Flaky", {
    description: "Score reviews with a flaky remote service and summarize them",
    params: {
      reviews: param(t.array(t.string), { default: REVIEWS, help: "the reviews to score" }),
      threshold: param(t.number, { default: 0.3, help: "a score above this is positive, below minus this negative" })
    }
  }),
  step("start", (a, ctx) => {
    ctx.log(`scoring ${a.reviews.length} reviews`)
    return { items: a.reviews.map((text, id) => ({ id, text })) }
  }),
  foreach(
    "items",
    step("score", async (a, ctx) => {
      const score = await callService(ctx.index, ctx.input.text, ctx.signal)
      const label = score > a.threshold ? "positive" : score < -a.threshold ? "negative" : "neutral"
      ctx.log(`review ${ctx.input.id}: ${score.toFixed(2)} (${label})`)
      return { score, label }
    }),
    { concurrency: 4 }
  ),
  join("collect", (inputs) => ({
    scores: inputs.map((input) => input.score),
    labels: inputs.map((input) => input.label)
  })),
  step("end", (a) => {
    const count = (label: string): number => a.labels.filter((each) => each === label).length
    const mean = a.scores.reduce((sum, score) => sum + score, 0) / Math.max(1, a.scores.length)
    const counts = `${count("positive")} positive, ${count("neutral")} neutral, ${count("negative")} negative`
    return { mean, summary: `${a.scores.length} reviews: ${counts} (mean ${mean.toFixed(2)})` }
  })
)

if (isMain(import.meta.url)) report(await run(Flaky))
