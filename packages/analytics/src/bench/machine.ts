import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, release, totalmem, type } from "node:os";
import { dirname, join } from "node:path";
import Database from "libsql";
import pg from "pg";

/** What the benchmark ran on. */
export interface Machine {
  readonly date: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memory: string;
  readonly os: string;
  readonly node: string;
  readonly sqlite: string;
  readonly libsql: string;
  readonly postgres: string;
  readonly pg: string;
  readonly kysely: string;
}

/**
 * Describes this machine, its drivers and the PostgreSQL server at `postgresUrl`.
 *
 * @example
 * ```ts
 * const machine = await describeMachine("postgres://postgres@127.0.0.1:5432/test");
 * ```
 */
export async function describeMachine(postgresUrl: string): Promise<Machine> {
  const memory = new Database(":memory:");
  const sqlite = (memory.prepare("select sqlite_version() as v").get() as { v: string }).v;
  memory.close();
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  const { rows } = await client.query("show server_version");
  await client.end();
  return {
    date: new Date().toISOString().slice(0, 10),
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    os: `${type()} ${release()}`,
    node: process.version,
    sqlite,
    libsql: versionOf("libsql"),
    postgres: String(rows[0]?.server_version ?? "unknown"),
    pg: versionOf("pg"),
    kysely: versionOf("kysely"),
  };
}

/** The installed version of a dependency: its package.json, found above its entry point. */
function versionOf(name: string): string {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve(name));
  for (let i = 0; i < 5; i++) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === name) return manifest.version ?? "unknown";
    } catch {
      // no package.json here: look further up
    }
    dir = dirname(dir);
  }
  return "unknown";
}
