/**
 * A worker thread's entry when artiflow runs from source (tests, benchmarks); built, the package's
 * dist/executor/threadMain.js calls the same function from the bundle (spec/build/build.ts).
 */
import { serveThread } from "./threadServer.js"

serveThread()
