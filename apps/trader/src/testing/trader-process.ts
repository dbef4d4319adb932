import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/** The app's folder, and the repository's. */
export const APP_DIR = fileURLToPath(new URL("../..", import.meta.url));
export const ROOT_DIR = resolve(APP_DIR, "../..");
export const MAIN_JS = join(APP_DIR, "dist", "main.js");

const run = promisify(execFile);

/**
 * Builds the app (and, through project references, what it depends on) into `dist`, as
 * `pnpm start` does. Integration test files run in parallel workers: a lock directory makes them
 * build one at a time (after the first, `tsc -b` finds everything up to date in a second or two).
 */
export async function buildTrader(): Promise<void> {
  const lock = join(tmpdir(), `qt-trader-build-${Buffer.from(APP_DIR).toString("hex").slice(-16)}.lock`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        // A lock left by a killed run is stale after two minutes.
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      } catch {}
      if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${lock}`);
      await delay(100);
    }
  }
  try {
    await run(process.execPath, [join(ROOT_DIR, "node_modules", "typescript", "bin", "tsc"), "-b", APP_DIR], {
      cwd: ROOT_DIR,
    });
    await run(process.execPath, [join(APP_DIR, "scripts", "copy-assets.mjs")], { cwd: APP_DIR });
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string };
    throw new Error(`build failed:\n${output.stdout ?? ""}${output.stderr ?? ""}`, { cause: error });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** How a process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * A running `node dist/main.js`, its output line by line, and ways to wait on it without sleeping.
 */
export interface TraderProcess {
  readonly child: ChildProcess;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Resolves with the first line (already printed or to come) matching `pattern`. */
  waitFor(
    pattern: RegExp,
    options?: { stream?: "stdout" | "stderr"; timeoutMs?: number },
  ): Promise<RegExpMatchArray>;
  /** The URL from the "listening on …" line. */
  url(timeoutMs?: number): Promise<string>;
  readonly exited: Promise<Exit>;
  /** Everything printed, for failure messages. */
  output(): string;
}

/**
 * Starts the built trader with `args`, in `cwd` (default: a fresh temporary folder, so the default
 * `./data/qt.db` never lands in the repository).
 *
 * @example
 * ```ts
 * const trader = spawnTrader(["--seed", "42", "--port", "0", "--until-trades", "5"]);
 * const url = await trader.url();
 * ```
 */
export function spawnTrader(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): TraderProcess {
  const child = spawn(process.execPath, [MAIN_JS, ...args], {
    cwd: options.cwd ?? tmpdir(),
    env: { PATH: process.env.PATH ?? "", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines = { stdout: [] as string[], stderr: [] as string[] };
  const listeners = new Set<() => void>();
  for (const stream of ["stdout", "stderr"] as const) {
    let partial = "";
    child[stream]?.setEncoding("utf8");
    child[stream]?.on("data", (chunk: string) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      lines[stream].push(...parts);
      for (const listener of listeners) listener();
    });
  }
  const exited = new Promise<Exit>((resolve) => {
    child.on("exit", (code, signal) => {
      // Let the last chunks arrive before anyone reads the output.
      setImmediate(() => {
        resolve({ code, signal });
        for (const listener of listeners) listener();
      });
    });
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const output = () => `--- stdout\n${lines.stdout.join("\n")}\n--- stderr\n${lines.stderr.join("\n")}`;
  const waitFor: TraderProcess["waitFor"] = (pattern, waitOptions = {}) => {
    const stream = waitOptions.stream ?? "stdout";
    const timeoutMs = waitOptions.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const check = () => {
        for (const line of lines[stream]) {
          const match = pattern.exec(line);
          if (match !== null) {
            cleanup();
            resolve(match);
            return;
          }
        }
        if (done) {
          cleanup();
          reject(new Error(`the trader exited before printing ${pattern}\n${output()}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}\n${output()}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  };
  return {
    child,
    stdout: lines.stdout,
    stderr: lines.stderr,
    waitFor,
    url: async (timeoutMs) => {
      const match = await waitFor(
        /listening on (http:\/\/[\d.:]+)/,
        timeoutMs === undefined ? {} : { timeoutMs },
      );
      return match[1] as string;
    },
    exited,
    output,
  };
}

/** Fetches JSON, failing with the body on a non-2xx status. */
export async function getJson<T = unknown>(url: string): Promise<T> {
  const response = await fetch(url);
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/**
 * Reads Server-Sent Events from `url` until `until` returns true for the events so far (or the
 * timeout), then closes the stream.
 */
export async function readSse(
  url: string,
  until: (events: { event: string; data: unknown }[]) => boolean,
  timeoutMs = 30_000,
): Promise<{ event: string; data: unknown }[]> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`no matching events within ${timeoutMs} ms`)),
    timeoutMs,
  );
  const events: { event: string; data: unknown }[] = [];
  try {
    const response = await fetch(url, { signal: controller.signal });
    if (!response.ok || response.body === null) throw new Error(`GET ${url}: ${response.status}`);
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end !== -1) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = "message";
        const data: string[] = [];
        for (const line of frame.split("\n")) {
          if (line.startsWith("event: ")) event = line.slice(7);
          else if (line.startsWith("data: ")) data.push(line.slice(6));
        }
        if (data.length > 0) events.push({ event, data: JSON.parse(data.join("\n")) });
        end = buffer.indexOf("\n\n");
      }
      if (until(events)) break;
    }
    return events;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
