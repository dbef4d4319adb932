import { describe, expect, it } from "vitest";
import { pnpm, publishablePackages, root } from "./workspace.js";

/** The release command's dry run: every publishable package would be published, nothing private. */
describe("pnpm publish -r --dry-run", () => {
  it("would publish exactly the publishable packages", async () => {
    const { stdout, stderr } = await pnpm(["publish", "-r", "--dry-run", "--no-git-checks"], root);
    const output = `${stdout}\n${stderr}`;
    const wouldPublish = [...output.matchAll(/📦 (@qt\/[a-z0-9-]+)@/g)].map((m) => m[1]).sort();
    const expected = (await publishablePackages()).map((p) => p.manifest.name);
    expect(wouldPublish).toEqual(expected);
    expect(output).not.toMatch(/@qt\/(demo|eventbus-bench|bus-conformance|release-check)@/);
  }, 240_000);
});
