import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const root = fileURLToPath(new URL("..", import.meta.url))
const sourceCondition = { resolve: { conditions: ["artiflow-source"] }, ssr: { resolve: { conditions: ["artiflow-source"] } } }

/** One typecheck project per compiler: the type tests must hold under TypeScript 7 and under 5.9. */
const typeProject = (name: string, checker: string, tsconfig: string) => ({
  extends: true as const,
  test: {
    name,
    include: [],
    typecheck: {
      enabled: true,
      only: true,
      checker,
      tsconfig,
      include: ["spec/types/**/*.test-d.ts"],
      spawnTimeout: 120_000
    }
  }
})

export default defineConfig({
  root,
  ...sourceCondition,
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["spec/**/*.spec.ts"],
          exclude: ["spec/compilers/**", "**/node_modules/**"],
          // Every run in the suite re-hashes inherited binary artifacts at each commit: a step of ours (or of
          // an example) that changed one in place would fail its test instead of corrupting what it stores.
          env: { ARTIFLOW_VERIFY: "1" },
          // The CLI tests run the compiled dist/cli/main.js: build it once first.
          globalSetup: ["spec/globalSetup.ts"]
        }
      },
      typeProject("types:ts7", `${root}node_modules/.bin/tsc`, "spec/types/tsconfig.ts7.json"),
      typeProject("types:ts5.9", `${root}spec/compilers/ts5.9/node_modules/.bin/tsc`, "spec/types/tsconfig.ts5.9.json")
    ]
  }
})
