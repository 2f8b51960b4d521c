/**
 * Loads what flow files import ("artiflow" itself, and fp-ts's `pipe`) before a flow file is loaded. The
 * TypeScript loader runs its module hooks on a thread of their own, so once it is registered every module
 * imported costs a round trip there; "artiflow" is about a hundred modules, which took 150 to 300 ms on
 * this machine through the hooks, and a fifth of that imported first, natively: the flow file then finds
 * them in Node's module cache. A command that loads a flow file and must start fast (spin) calls this first.
 */

/**
 * Imports the modules flow files import, natively. Best effort: a module that does not resolve from here is
 * skipped (the flow file's own import then says what is wrong). Package names, not paths: what a flow file's
 * imports resolve to, wherever this CLI is installed ("artiflow" resolves to this package's own entry).
 *
 * @example
 * await preloadFlowImports()
 * const loaded = await loadFlow(file, choice)
 */
export const preloadFlowImports = async (): Promise<void> => {
  const skip = (): undefined => undefined
  await Promise.all([import("artiflow").catch(skip), import("fp-ts/lib/function.js").catch(skip)])
}
