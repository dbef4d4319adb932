import { cp, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exec, publishablePackages, root, type WorkspacePackage } from "./workspace.js";

type Bump = "patch" | "minor" | "major";
const rank: Record<Bump, number> = { patch: 0, minor: 1, major: 2 };

/** The bump each package gets from the pending changesets, and each changeset's summary. */
async function pendingChangesets(): Promise<{ bumps: Map<string, Bump>; summaries: Map<string, string[]> }> {
  const dir = path.join(root, ".changeset");
  const bumps = new Map<string, Bump>();
  const summaries = new Map<string, string[]>();
  for (const file of (await readdir(dir)).filter((f) => f.endsWith(".md") && f !== "README.md")) {
    const text = await readFile(path.join(dir, file), "utf8");
    const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
    if (match === null) throw new Error(`${file}: no frontmatter`);
    const summary = (match[2] ?? "").trim().split("\n")[0] ?? "";
    for (const line of (match[1] ?? "").split("\n")) {
      const entry = /^"([^"]+)":\s*(patch|minor|major)$/.exec(line.trim());
      if (entry === null) continue;
      const [, name, bump] = entry as unknown as [string, string, Bump];
      if (!bumps.has(name) || rank[bump] > rank[bumps.get(name) as Bump]) bumps.set(name, bump);
      summaries.set(name, [...(summaries.get(name) ?? []), summary]);
    }
  }
  return { bumps, summaries };
}

function bumped(version: string, bump: Bump): string {
  const [major = 0, minor = 0, patch = 0] = version.split(".").map(Number);
  if (bump === "major") return major === 0 ? `0.${minor + 1}.0` : `${major + 1}.0.0`;
  if (bump === "minor") return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

/**
 * `changeset version` on a throwaway copy of the manifests: the versions and CHANGELOG entries a
 * release would produce, checked against the pending changesets.
 */
describe("changeset version (on a throwaway copy)", () => {
  let copy: string;
  let before: WorkspacePackage[];

  beforeAll(async () => {
    copy = await mkdtemp(path.join(tmpdir(), "qt-changesets-"));
    before = await publishablePackages();
    for (const file of ["package.json", "pnpm-workspace.yaml", ".changeset"]) {
      await cp(path.join(root, file), path.join(copy, file), { recursive: true });
    }
    for (const base of ["packages", "apps"]) {
      for (const entry of await readdir(path.join(root, base), { withFileTypes: true })) {
        if (!entry.isDirectory()) continue;
        const from = path.join(root, base, entry.name, "package.json");
        await cp(from, path.join(copy, base, entry.name, "package.json")).catch(() => undefined);
      }
    }
    await exec(path.join(root, "node_modules/.bin/changeset"), ["version"], { cwd: copy });
  }, 120_000);

  afterAll(async () => {
    if (copy) await rm(copy, { recursive: true, force: true });
  });

  it("bumps each package named in a changeset by its largest bump and writes its CHANGELOG", async () => {
    const { bumps, summaries } = await pendingChangesets();
    expect(bumps.size).toBeGreaterThan(0);
    for (const [name, bump] of bumps) {
      const pkg = before.find((p) => p.manifest.name === name);
      expect(pkg, `${name} is a publishable package`).toBeDefined();
      const folder = path.relative(root, (pkg as WorkspacePackage).dir);
      const after = JSON.parse(await readFile(path.join(copy, folder, "package.json"), "utf8"));
      expect(after.version, name).toBe(bumped((pkg as WorkspacePackage).manifest.version, bump));
      const changelog = await readFile(path.join(copy, folder, "CHANGELOG.md"), "utf8");
      expect(changelog, name).toContain(`## ${after.version}`);
      for (const summary of summaries.get(name) ?? []) expect(changelog, name).toContain(summary);
    }
  });

  it("keeps internal dependencies on workspace:^ so that packing rewrites them to the new versions", async () => {
    for (const pkg of before) {
      const folder = path.relative(root, pkg.dir);
      const after = JSON.parse(await readFile(path.join(copy, folder, "package.json"), "utf8"));
      for (const [dep, range] of Object.entries((after.dependencies ?? {}) as Record<string, string>)) {
        if (dep.startsWith("@qt/")) expect(range, `${pkg.manifest.name} -> ${dep}`).toBe("workspace:^");
      }
    }
  });

  it("leaves private packages (apps, tools) unversioned", async () => {
    const demo = JSON.parse(await readFile(path.join(copy, "apps/trader/package.json"), "utf8"));
    expect(demo.version).toBe("0.0.0");
  });
});
