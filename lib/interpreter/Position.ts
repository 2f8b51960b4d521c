/**
 * Where a task runs: its foreach frames (outermost first), the loops around it and the node before it, from
 * which the task id, `ctx.foreachStack` and `ctx.loopStack` follow.
 *
 * Task ids list where the task is, outermost first, joined with ".": a foreach adds its index, a loop "i"
 * and its iteration. "3.1" is item 1 of a foreach in item 3 of another; "i2.5" item 5 of a foreach inside
 * iteration 2 of a loop; "5.i2" iteration 2 of a loop inside item 5; "0" is a task outside any foreach and
 * loop. Flows without loops keep the ids they always had (the "i" makes a loop's segment tell itself apart).
 */
import type { ArtifactEntry, StoredFrame, StoredLoopFrame } from "../datastore/Manifest.js"
import type { ForeachFrame, LoopFrame } from "../types/context.js"

export interface Position {
  readonly frames: ReadonlyArray<ForeachFrame>
  /**
   * How each frame's array is stored (`arrays[i]` is the entry of `frames[i].artifact`), so that a worker can
   * load the element itself; absent where no attempt leaves the process (a spin).
   */
  readonly arrays?: ReadonlyArray<ArtifactEntry | undefined>
  /** The loops around the task, outermost first; absent (or empty) outside loops. */
  readonly loops?: ReadonlyArray<LoopFrame>
  /**
   * The task id's segments, in nesting order, once a loop is among the frames (then foreach indices and loop
   * iterations interleave); absent outside loops, where the id is the foreach indices.
   */
  readonly path?: ReadonlyArray<string>
  /** The step or join that ran last before this point (a foreach frame's `step`). */
  readonly previous: string
}

/** The task id: see the top of this file. */
export const taskIdOf = (position: Position): string => {
  if (position.path !== undefined) return position.path.join(".")
  return position.frames.length === 0 ? "0" : position.frames.map((frame) => frame.index).join(".")
}

/*
 * `inForeach` and `inLoop` write a position out field by field, not as `{ ...position, frames, path }`: on
 * Node 20's V8, an object spread followed by a property its source lacks builds a new hidden class on every
 * call (about 1 us per added property, and old-space garbage for the collector), and these run once per
 * foreach item and per loop iteration. Keep them in step with the fields of `Position`.
 */

/** The position of item `frame.index` of a foreach at `position`; `arrays` as `Position.arrays` says. */
export const inForeach = (position: Position, frame: ForeachFrame, arrays = position.arrays): Position => ({
  frames: [...position.frames, frame],
  ...(arrays !== undefined && { arrays }),
  ...(position.loops !== undefined && { loops: position.loops }),
  ...(position.path !== undefined && { path: [...position.path, String(frame.index)] }),
  previous: position.previous
})

/** The position of iteration `iteration` of the loop `loop` at `position`, after the node `previous`. */
export const inLoop = (position: Position, loop: string, iteration: number, previous = position.previous): Position => {
  const outer = position.path ?? position.frames.map((frame) => String(frame.index))
  return {
    frames: position.frames,
    ...(position.arrays !== undefined && { arrays: position.arrays }),
    loops: [...(position.loops ?? []), Object.freeze({ loop, iteration })],
    path: [...outer, `i${iteration}`],
    previous
  }
}

/** The frames as a manifest stores them (the elements are part of the foreach's artifact already). */
export const storedFrames = (position: Position): ReadonlyArray<StoredFrame> =>
  position.frames.map(({ step, artifact, index, count }) => ({ step, artifact, index, count }))

/** The loops as a manifest stores them: `undefined` outside loops, so manifests of other tasks do not change. */
export const storedLoops = (position: Position): ReadonlyArray<StoredLoopFrame> | undefined =>
  position.loops === undefined || position.loops.length === 0
    ? undefined
    : position.loops.map(({ loop, iteration }) => ({ loop, iteration }))
