import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/** The monorepo's root folder. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

const run = promisify(execFile);

/** Runs a command, failing with its output when it exits non-zero. */
export async function exec(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      timeout: options.timeoutMs ?? 240_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(" ")} failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`,
    );
  }
}

/** pnpm as the README runs it. */
export function pnpm(args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return exec("npx", ["-y", "pnpm@12.4.2", ...args], { cwd, env: { npm_config_yes: "true" } });
}

/** A workspace package's folder and manifest. */
export interface WorkspacePackage {
  readonly dir: string;
  readonly manifest: {
    name: string;
    version: string;
    private?: boolean;
    dependencies?: Record<string, string>;
    [key: string]: unknown;
  };
}

/** Every package under packages/ that is published (not private). */
export async function publishablePackages(): Promise<WorkspacePackage[]> {
  const base = path.join(root, "packages");
  const out: WorkspacePackage[] = [];
  for (const entry of await readdir(base, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(base, entry.name);
    const manifest = JSON.parse(
      await readFile(path.join(dir, "package.json"), "utf8"),
    ) as WorkspacePackage["manifest"];
    if (manifest.private !== true) out.push({ dir, manifest });
  }
  return out.sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}
