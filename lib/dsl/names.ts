/**
 * Naming rules. Flow, step and branch names become path segments in the datastore and the CLI
 * (`Flow/run/step/task`), so they are kept to a portable alphabet; parameter names become `--flags`.
 */

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/
const PARAMETER = /^[A-Za-z][A-Za-z0-9_]{0,127}$/

/** Flow, step and branch names: letters, digits, `_` and `-`, starting with a letter or digit. */
export const isValidName = (name: unknown): name is string => typeof name === "string" && SEGMENT.test(name)

/** Parameter names: letters, digits and `_`, starting with a letter (they become `--name` on the CLI). */
export const isValidParamName = (name: unknown): name is string => typeof name === "string" && PARAMETER.test(name)

/** Artifact names: any non-empty string except `__proto__` (keys from users and from disk are hostile). */
export const isValidArtifactName = (name: unknown): name is string =>
  typeof name === "string" && name.length > 0 && name.length <= 1024 && name !== "__proto__"

/** Names starting with `_` are ephemeral: dropped after the step that wrote them, never persisted. */
export const isEphemeral = (name: string): boolean => name.startsWith("_")
