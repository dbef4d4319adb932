import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Tests read each workspace package's TypeScript sources through the "@qt/source" export
// condition, so `pnpm test` never waits for (or tests a stale) build.
export default defineConfig({
  ssr: { resolve: { conditions: ["@qt/source", ...defaultServerConditions] } },
  test: {
    // In CI a JSON report is written too: .ci/run reads its counts for the closing summary line.
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: ".vitest-report.json" },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.test.ts"],
          exclude: ["**/*.integration.test.ts", "**/node_modules/**"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["packages/*/src/**/*.integration.test.ts", "apps/*/src/**/*.integration.test.ts"],
          exclude: ["**/node_modules/**"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
