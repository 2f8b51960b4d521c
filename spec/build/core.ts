/**
 * What dist/chunks/core.cjs holds (bundle.ts): the whole library in one script. Each entry of dist/ takes its
 * part: dist/index.js `index`, dist/client/index.js `client`, the `artiflow` executable `main`, a worker
 * thread's entry `serveThread`; the loader (lib/codeCache/loadCore.ts) lends it `import()` through `useImporter`.
 */
export * as index from "../../lib/index.js"
export * as client from "../../lib/client/index.js"
export { main } from "../../lib/cli/main.js"
export { serveThread } from "../../lib/executor/threadServer.js"
export { useImporter } from "../../lib/dynamicImport.js"
