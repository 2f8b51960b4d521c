/**
 * The `artiflow` executable's process: runs the command line on the process's streams and exits with its code.
 * The only module that touches `process.argv` and `process.exit`. Built, dist/cli/main.js (the package's `bin`)
 * calls {@link main} from the bundle (spec/build/build.ts).
 */
import { cli } from "./cli.js"
import { streamWriter } from "./io.js"

/**
 * While a flow runs (or a worker serves), the first Ctrl-C or SIGTERM stops it cleanly; the listeners are removed
 * after it, so a second signal exits at once.
 */
const onInterrupt = (stop: () => void): (() => void) => {
  const once = (): void => {
    release()
    stop()
  }
  const release = (): void => {
    process.off("SIGINT", once)
    process.off("SIGTERM", once)
  }
  process.on("SIGINT", once)
  process.on("SIGTERM", once)
  return release
}

/** Runs `artiflow <process.argv>` and exits the process with its code. */
export const main = async (): Promise<void> => {
  // A closed pipe (`artiflow dump ... | head`) is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(0)
      throw error
    })
  }
  const io = { stdout: streamWriter(process.stdout), stderr: streamWriter(process.stderr), onInterrupt }
  const code = await cli(process.argv.slice(2), io)
  // Exit once everything written is flushed: process.exit alone can cut output going to a pipe.
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)))
}
