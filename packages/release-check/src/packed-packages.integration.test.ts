import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exec, pnpm, publishablePackages, root, type WorkspacePackage } from "./workspace.js";

/**
 * Behaves like a new user: packs every publishable package, installs the tarballs with npm into a
 * fresh project outside the workspace, compiles an example with tsc (strict, NodeNext) and runs it.
 */
describe("packed packages, installed like a new user would", () => {
  let work: string;
  let packages: WorkspacePackage[];
  const tarballs = new Map<string, string>();

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "qt-new-user-"));
    packages = await publishablePackages();
    await exec(path.join(root, "node_modules/.bin/tsc"), ["-b"], { cwd: root });
    const packed = path.join(work, "tarballs");
    await mkdir(packed);
    for (const pkg of packages) {
      await pnpm(["pack", "--pack-destination", packed], pkg.dir);
    }
    for (const file of await readdir(packed)) {
      const manifest = await tarballManifest(path.join(packed, file));
      tarballs.set(manifest.name as string, path.join(packed, file));
    }
  }, 300_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("packs every publishable package", () => {
    expect([...tarballs.keys()].sort()).toEqual(packages.map((p) => p.manifest.name));
  });

  it("rewrites workspace: ranges to real version ranges in each tarball", async () => {
    for (const [name, file] of tarballs) {
      const manifest = await tarballManifest(file);
      const deps = {
        ...(manifest.dependencies as Record<string, string>),
        ...(manifest.peerDependencies as object),
      };
      for (const [dep, range] of Object.entries(deps)) {
        expect(range, `${name} -> ${dep}`).not.toMatch(/^workspace:/);
        if (dep.startsWith("@qt/")) {
          const target = packages.find((p) => p.manifest.name === dep);
          expect(range, `${name} -> ${dep}`).toBe(`^${target?.manifest.version}`);
        }
      }
    }
  });

  it("ships dist, README and LICENSE, and no tests or build info", async () => {
    for (const [name, file] of tarballs) {
      const { stdout } = await exec("tar", ["-tzf", file], { cwd: work });
      const files = stdout.trim().split("\n");
      expect(files, name).toContain("package/README.md");
      expect(files, name).toContain("package/LICENSE");
      expect(files, name).toContain("package/dist/index.js");
      expect(files, name).toContain("package/dist/index.d.ts");
      expect(
        files.filter((f) => /\.test\.|tsbuildinfo|\/src\//.test(f)),
        name,
      ).toEqual([]);
    }
  });

  it("installs with npm, compiles a strict NodeNext example and runs it", async () => {
    const project = path.join(work, "app");
    await mkdir(project);
    await writeFile(
      path.join(project, "package.json"),
      JSON.stringify({ name: "new-user-app", private: true, type: "module" }, null, 2),
    );
    await writeFile(
      path.join(project, "tsconfig.json"),
      JSON.stringify(
        {
          compilerOptions: {
            strict: true,
            module: "NodeNext",
            moduleResolution: "NodeNext",
            target: "ES2022",
            outDir: "out",
            types: ["node"],
            skipLibCheck: false,
          },
          include: ["example.ts"],
        },
        null,
        2,
      ),
    );
    await writeFile(
      path.join(project, "example.ts"),
      await readFile(path.join(root, "packages/release-check/src/fixtures/new-user-example.ts"), "utf8"),
    );
    await exec(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        ...tarballs.values(),
        "typescript@5.9.3",
        "@types/node@20",
      ],
      { cwd: project, timeoutMs: 300_000 },
    );
    await exec(path.join(project, "node_modules/.bin/tsc"), ["--noEmit", "-p", "."], { cwd: project });
    await exec(path.join(project, "node_modules/.bin/tsc"), ["-p", "."], { cwd: project });
    const { stdout } = await exec("node", ["out/example.js"], { cwd: project });
    expect(JSON.parse(stdout)).toEqual({
      seen: ["BTCUSDT:open", "policy:DEFENSIVE"],
      validation: "EVENT_VALIDATION payload.size",
      published: 2,
    });
    for (const name of tarballs.keys()) {
      const { stdout: loaded } = await exec(
        "node",
        [
          "--input-type=module",
          "-e",
          `const m = await import(${JSON.stringify(name)}); console.log(Object.keys(m).length)`,
        ],
        { cwd: project },
      );
      expect(Number(loaded), `${name} exports`).toBeGreaterThan(0);
    }
  }, 600_000);
});

async function tarballManifest(file: string): Promise<Record<string, unknown>> {
  const { stdout } = await exec("tar", ["-xzOf", file, "package/package.json"], { cwd: path.dirname(file) });
  return JSON.parse(stdout) as Record<string, unknown>;
}
