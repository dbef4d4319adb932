import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** A fault-test child process running one of this folder's scripts, with its JSON output lines. */
export interface ChildScript {
  readonly process: ChildProcess;
  /** Every JSON line printed so far. */
  readonly lines: Record<string, unknown>[];
  /** Resolves with the first line (already printed or to come) matching `predicate`. */
  waitFor(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** What it wrote to stderr. */
  stderr(): string;
}

/**
 * Runs `node <this folder>/<script>` with `env` added, collecting its JSON stdout lines. Only
 * this process is ever signalled, by its own handle.
 *
 * @example
 * ```ts
 * const sink = runScript("sink-process.mjs", { NATS_URL: server.url, NAMESPACE: ns, ... });
 * await sink.waitFor((l) => l.ready === true);
 * sink.process.kill("SIGKILL");
 * ```
 */
export function runScript(script: string, env: Record<string, string>): ChildScript {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, [path], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Record<string, unknown>[] = [];
  let waiters: {
    predicate: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
  }[] = [];
  let buffered = "";
  let errors = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf("\n");
    while (newline >= 0) {
      const text = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf("\n");
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      lines.push(line);
      const matched = waiters.filter((w) => w.predicate(line));
      waiters = waiters.filter((w) => !matched.includes(w));
      for (const w of matched) w.resolve(line);
    }
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    errors = (errors + chunk).slice(-20_000);
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  return {
    process: child,
    lines,
    exited,
    stderr: () => errors,
    waitFor(predicate, timeoutMs = 60_000) {
      const found = lines.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new Error(
              `${script}: no matching line after ${timeoutMs} ms; last: ${JSON.stringify(lines.at(-1))}; stderr: ${errors.slice(-2_000)}`,
            ),
          );
        }, timeoutMs);
        const done = (line: Record<string, unknown>) => {
          clearTimeout(timer);
          resolve(line);
        };
        waiters.push({ predicate, resolve: done });
        void exited.then((code) => {
          if (waiters.some((w) => w.resolve === done)) {
            clearTimeout(timer);
            reject(
              new Error(
                `${script} exited (${code}) before the expected line; stderr: ${errors.slice(-2_000)}`,
              ),
            );
          }
        });
      });
    },
  };
}
