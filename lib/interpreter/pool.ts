/**
 * Running many bodies with a bounded number in flight. A foreach starts its bodies through this rather than
 * all at once: 100,000 bodies started together would each hold a suspended call, its closure and its promise
 * while waiting for a worker, which is most of what such a run keeps in memory.
 */

/**
 * Calls `work(0)`, `work(1)`, … `work(count - 1)` in order, at most `width` at a time, and resolves once every
 * call has settled, with the outcomes in index order (like Promise.allSettled).
 */
export const settleInOrder = async <T>(
  count: number,
  width: number,
  work: (index: number) => Promise<T>
): Promise<ReadonlyArray<PromiseSettledResult<T>>> => {
  const settled: Array<PromiseSettledResult<T>> = new Array(count)
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < count) {
      const index = next++
      try {
        settled[index] = { status: "fulfilled", value: await work(index) }
      } catch (reason) {
        settled[index] = { status: "rejected", reason }
      }
    }
  }
  const lanes = Math.max(1, Math.min(width, count))
  await Promise.all(Array.from({ length: lanes }, lane))
  return settled
}
