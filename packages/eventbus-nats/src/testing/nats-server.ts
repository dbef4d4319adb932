import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A nats-server process of a test's own, on a free port with its own file store.
 *
 * @example
 * ```ts
 * const server: TestNatsServer = await startNatsServer();
 * await server.kill();  // an outage
 * await server.start(); // back, with what it stored
 * ```
 */
export interface TestNatsServer {
  /** `127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** The JetStream store directory (kept across restarts, removed by `stop()`). */
  readonly storeDir: string;
  /** The PID of the running server process. */
  readonly pid: number | undefined;
  /** Kills the server (SIGKILL by default) and starts it again on the same port and store. */
  restart(options?: { signal?: NodeJS.Signals; downMs?: number }): Promise<void>;
  /** Kills the server and waits for it to exit; the store is kept. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again after `kill()`. */
  start(): Promise<void>;
  /** Kills the server and removes its store. */
  stop(): Promise<void>;
}

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? "/usr/sbin/nats-server";

/**
 * Starts `nats-server -js` on a free port with a temporary file store, and waits until it accepts
 * connections. Only the process it started is ever signalled.
 *
 * @example
 * ```ts
 * const server = await startNatsServer();
 * const bus = new NatsEventBus({ servers: server.url });
 * await server.restart();       // SIGKILL, then start again on the same port and store
 * await server.stop();          // and remove the store
 * ```
 */
export async function startNatsServer(): Promise<TestNatsServer> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), "qt-nats-"));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    const proc = spawn(NATS_SERVER, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", storeDir], {
      stdio: "ignore",
    });
    child = proc;
    exited = new Promise((resolve) => proc.once("exit", () => resolve()));
    await waitForPort(port, 10_000);
  };
  const kill = async (signal: NodeJS.Signals = "SIGKILL") => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null) return;
    proc.kill(signal);
    await exited;
  };

  await start();
  return {
    url: `127.0.0.1:${port}`,
    port,
    storeDir,
    get pid() {
      return child?.pid;
    },
    async restart(options = {}) {
      await kill(options.signal ?? "SIGKILL");
      if (options.downMs) await new Promise((resolve) => setTimeout(resolve, options.downMs));
      await start();
    },
    kill,
    start,
    async stop() {
      await kill("SIGKILL");
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
      socket.connect(port, "127.0.0.1");
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nats-server did not open port ${port} in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
