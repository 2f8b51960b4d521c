/**
 * Where the CLI writes: two writers (stdout and stderr) behind a small interface, so commands and renderers
 * can be driven and checked in tests without a process or a terminal.
 */

/** A text sink: a stream, or a buffer in tests. */
export interface Writer {
  write(text: string): void
  /** Whether the sink is a terminal (progress bars redraw in place only there). */
  readonly isTTY: boolean
  /** Terminal width in characters (80 when unknown). */
  readonly columns: number
  /** Whether values may be printed with ANSI colours (a terminal, and `NO_COLOR` unset). */
  readonly colors: boolean
}

/** The two writers every command gets, and a way to hear the user's request to stop. */
export interface Io {
  readonly stdout: Writer
  readonly stderr: Writer
  /**
   * Calls `stop` on the user's next interrupt (Ctrl-C) instead of ending the process, so a running flow can
   * stop cleanly and stay resumable; returns a function that gives the interrupt its default effect back.
   */
  readonly onInterrupt?: (stop: () => void) => () => void
}

/** The slice of a Node stream a writer needs. */
interface TextStream {
  write(text: string): unknown
  readonly isTTY?: boolean
  readonly columns?: number
}

/** A writer over a Node stream (`process.stdout`, `process.stderr`). */
export const streamWriter = (stream: TextStream, env: NodeJS.ProcessEnv = process.env): Writer => {
  const isTTY = stream.isTTY === true
  return {
    write: (text) => void stream.write(text),
    isTTY,
    get columns() {
      return stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80
    },
    colors: isTTY && env["NO_COLOR"] === undefined && env["TERM"] !== "dumb"
  }
}

/** A writer that keeps what it is given, for tests: `text()` returns everything written so far. */
export const bufferWriter = (options: Partial<Pick<Writer, "isTTY" | "columns" | "colors">> = {}): Writer & { text(): string } => {
  const chunks: Array<string> = []
  return {
    write: (text) => void chunks.push(text),
    isTTY: options.isTTY ?? false,
    columns: options.columns ?? 80,
    colors: options.colors ?? false,
    text: () => chunks.join("")
  }
}

/** Writes `text` and a newline. */
export const writeLine = (writer: Writer, text = ""): void => writer.write(`${text}\n`)
