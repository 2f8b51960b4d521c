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

/**
 * Tests that need a real server run in a project of their own, whose global setup starts the server (installing
 * it first when it is missing) and stops it by PID when the run ends. Vitest runs a project's global setup only
 * when the run includes one of its files, so `--project unit` or one unrelated file starts no server.
 */
const serverProject = (name: string, include: string, globalSetup: string) => ({
  extends: true as const,
  test: {
    name,
    include: [include],
    exclude: ["spec/compilers/**", "**/node_modules/**"],
    env: {
      ARTIFLOW_VERIFY: "1",
      // else every S3Client prints a NodeVersionSupportWarning on Node 20 (our pinned SDK supports it)
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true"
    },
    globalSetup: [globalSetup]
  }
})
const serverTests = ["spec/**/*.s3.spec.ts", "spec/**/*.redis.spec.ts"]

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
          exclude: ["spec/compilers/**", "**/node_modules/**", ...serverTests],
          // Every run in the suite re-hashes inherited binary artifacts at each commit: a step of ours (or of
          // an example) that changed one in place would fail its test instead of corrupting what it stores.
          env: { ARTIFLOW_VERIFY: "1" },
          // The CLI tests run the compiled dist/cli/main.js: build it once first.
          globalSetup: ["spec/globalSetup.ts"]
        }
      },
      serverProject("s3", "spec/**/*.s3.spec.ts", "spec/support/servers/s3.globalSetup.ts"),
      serverProject("redis", "spec/**/*.redis.spec.ts", "spec/support/servers/redis.globalSetup.ts"),
      typeProject("types:ts7", `${root}node_modules/.bin/tsc`, "spec/types/tsconfig.ts7.json"),
      typeProject("types:ts5.9", `${root}spec/compilers/ts5.9/node_modules/.bin/tsc`, "spec/types/tsconfig.ts5.9.json")
    ]
  }
})
