/**
 * Where a task runs: its foreach frames (outermost first) and the node before it, from which the task id and
 * `ctx.foreachStack` follow.
 */
import type { ArtifactEntry, StoredFrame } from "../datastore/Manifest.js"
import type { ForeachFrame } from "../types/context.js"

export interface Position {
  readonly frames: ReadonlyArray<ForeachFrame>
  /**
   * How each frame's array is stored (`arrays[i]` is the entry of `frames[i].artifact`), so that a worker can
   * load the element itself; absent where no attempt leaves the process (a spin).
   */
  readonly arrays?: ReadonlyArray<ArtifactEntry | undefined>
  /** The step or join that ran last before this point (a foreach frame's `step`). */
  readonly previous: string
}

/** The foreach index path joined with "." ("3", "3.1"), or "0" outside any foreach. */
export const taskIdOf = (position: Position): string =>
  position.frames.length === 0 ? "0" : position.frames.map((frame) => frame.index).join(".")

/** The frames as a manifest stores them (the elements are part of the foreach's artifact already). */
export const storedFrames = (position: Position): ReadonlyArray<StoredFrame> =>
  position.frames.map(({ step, artifact, index, count }) => ({ step, artifact, index, count }))
