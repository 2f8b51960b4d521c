/**
 * A headless Chromium for the browser tests, without apt and without a download: Debian's chromium when the
 * machine has it, otherwise the Chromium shipped inside the @sparticuz/chromium npm package (a dev
 * dependency, so the README's install command brings it). Either way the flags keep it off the network.
 */
import { existsSync } from "node:fs"
import { chromium } from "playwright-core"
import type { Browser } from "playwright-core"

const DEBIAN_CHROMIUM = "/usr/bin/chromium"

/** What keeps Chromium quiet on a machine with no network: no background fetches, no updates, no QUIC. */
const OFFLINE_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

/** Which browser {@link launchChromium} starts, for the test log. */
export let browserDescription = ""

/** Starts a headless Chromium: Debian's at /usr/bin/chromium if present, else the packaged one. */
export const launchChromium = async (): Promise<Browser> => {
  if (existsSync(DEBIAN_CHROMIUM)) {
    browserDescription = `Debian's chromium (${DEBIAN_CHROMIUM})`
    return chromium.launch({ executablePath: DEBIAN_CHROMIUM, args: OFFLINE_ARGS })
  }
  // Unpacks to the temp directory on first use (about 2 s), then reuses it.
  const { default: packaged } = await import("@sparticuz/chromium")
  const executablePath = await packaged.executablePath()
  browserDescription = `the Chromium of @sparticuz/chromium (${executablePath})`
  const args = [...packaged.args.filter((arg) => !arg.startsWith("--headless")), ...OFFLINE_ARGS]
  return chromium.launch({ executablePath, args })
}
