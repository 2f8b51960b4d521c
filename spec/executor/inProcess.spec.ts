/** The in-process executor (the default) passes the executor conformance suite. */
import { inProcess } from "artiflow"
import { executorContract } from "./contract.js"

executorContract("inProcess", async () => ({ executor: inProcess(), workerPids: () => [process.pid], runsUnexported: true }))
