/** The CLI's own error: the command line was wrong. The CLI prints its message and exits with code 2. */
export class UsageError extends Error {
  readonly _tag = "UsageError"
  constructor(
    message: string,
    /** The command whose `--help` the message points to, if any. */
    readonly command?: string
  ) {
    super(message)
  }
}
