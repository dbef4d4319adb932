import { readFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The machine and software a run was measured on. */
export interface Environment {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  /** Installed version of each package, by name. */
  readonly versions: Readonly<Record<string, string>>;
}

/**
 * Describes this machine and the installed versions of `packages` (read from their package.json).
 *
 * @example
 * ```ts
 * describeEnvironment(["emittery"]).versions.emittery; // "2.2.0"
 * ```
 */
export function describeEnvironment(packages: readonly string[]): Environment {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: os.totalmem() / 2 ** 30,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    versions: Object.fromEntries(packages.map((name) => [name, installedVersion(name)])),
  };
}

/** Resolves the package's entry point and walks up to its own package.json (some export no ./package.json). */
function installedVersion(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.resolve(name)));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === name) return manifest.version ?? "unknown";
    } catch {
      // no package.json here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) return "unknown";
    dir = parent;
  }
}
