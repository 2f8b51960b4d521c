import { datastoreContract } from "./contract.js"
import { memoryHarness } from "./memoryHarness.js"

datastoreContract("memory", memoryHarness)
