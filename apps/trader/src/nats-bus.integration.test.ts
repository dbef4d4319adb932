import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StoredTrade } from "@qt/analytics";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTrader } from "./app.js";
import { parseConfig } from "./config.js";

const NATS_SERVER = "/usr/sbin/nats-server";

/** A free TCP port on 127.0.0.1 (asked of the OS, then released for the server to take). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once something accepts connections on `port`, or rejects after `timeoutMs`. */
async function untilListening(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
      socket.connect(port, "127.0.0.1");
    });
    if (connected) return;
    if (Date.now() > deadline)
      throw new Error(`nats-server did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function tradesOf(args: string[], env: Record<string, string>): Promise<StoredTrade[]> {
  const db = join(mkdtempSync(join(tmpdir(), "qt-nats-")), "qt.db");
  const parsed = parseConfig([...args, "--no-http", "--speed", "max", "--status", "off", "--db", db], env);
  if (!parsed.ok) throw parsed.error;
  const trader = createTrader(parsed.config, {
    stdout: { write: () => true },
    stderr: { write: () => true },
  });
  await trader.start();
  const end = await trader.finished;
  const summary = await trader.halt(end);
  const trades = (await trader.store?.listTrades()) ?? [];
  const events = (await trader.store?.findEvents()) ?? [];
  await trader.stop(end);
  expect(events).toHaveLength(summary.bus.published);
  return trades;
}

// A broker of the test's own (its own port and store), so the shared one is never touched.
describe.skipIf(!existsSync(NATS_SERVER))("the trader over NATS JetStream", () => {
  let server: ChildProcess;
  let store: string;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    store = mkdtempSync(join(tmpdir(), "qt-nats-store-"));
    server = spawn(NATS_SERVER, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", store], {
      stdio: "ignore",
    });
    await untilListening(port, 10_000);
  });

  afterAll(async () => {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }
    rmSync(store, { recursive: true, force: true });
  });

  it("makes the same trades as the in-memory bus for the same seed", async () => {
    const args = ["--seed", "42", "--until-trades", "15"];
    const overNats = await tradesOf(args, { QT_BUS: `nats://127.0.0.1:${port}/qt-trader-test` });
    const inMemory = await tradesOf(args, {});
    const fields = (t: StoredTrade) => [t.orderId, t.symbol, t.side, t.size, t.price, t.pnl];
    expect(overNats).toHaveLength(15);
    expect(overNats.map(fields)).toEqual(inMemory.map(fields));
  });

  it("fails fast, with the cause, when the broker cannot be reached", async () => {
    const closed = await freePort();
    const parsed = parseConfig(["--no-http", "--status", "off", "--bus", `nats://127.0.0.1:${closed}`], {});
    if (!parsed.ok) throw parsed.error;
    const trader = createTrader(parsed.config, {
      stdout: { write: () => true },
      stderr: { write: () => true },
    });
    await expect(trader.start()).rejects.toThrow(`cannot reach the broker at nats://127.0.0.1:${closed}`);
  });
});
