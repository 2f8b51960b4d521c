/**
 * Loads what flow files import ("artiflow" itself, and fp-ts's `pipe`) before a flow file is loaded. The
 * TypeScript loader runs its module hooks on a thread of their own, so once it is registered every module
 * imported costs a round trip there; "artiflow" is about a hundred modules, which took 150 to 300 ms on
 * this machine through the hooks, and a fifth of that imported first, natively: the flow file then finds
 * them in Node's module cache. A command that loads a flow file and must start fast (spin) calls this first.
 */

/** Package names, not paths: what a flow file's imports resolve to, wherever this CLI is installed. */
const FLOW_IMPORTS = ["artiflow", "fp-ts/lib/function.js"]

/**
 * Imports the modules flow files import, natively. Best effort: a module that does not resolve from here is
 * skipped (the flow file's own import then says what is wrong).
 *
 * @example
 * await preloadFlowImports()
 * const loaded = await loadFlow(file, choice)
 */
export const preloadFlowImports = async (): Promise<void> => {
  // Specifiers in variables: the compiler does not resolve them (dist/index.d.ts need not exist while building).
  await Promise.all(FLOW_IMPORTS.map((specifier) => import(specifier).catch(() => undefined)))
}
