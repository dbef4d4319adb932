import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { eventually, inBatches } from "@qt/bus-conformance";
import { type EventEnvelope, silentLogger } from "@qt/eventbus";
import { qtEventRegistry, TradeExecutedEvent } from "@qt/events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsEventBus } from "../nats-event-bus.js";
import { startNatsServer, type TestNatsServer } from "../testing/nats-server.js";
import { type ChildScript, runScript } from "./child-script.js";

// Child processes run the built adapter (Node 20 cannot run TypeScript): build it first, and
// the sibling packages the trader-split scripts import, if they were never built.
const packageDir = fileURLToPath(new URL("../..", import.meta.url));
const repoDir = join(packageDir, "../..");
const tsc = join(repoDir, "node_modules/.bin/tsc");

let server: TestNatsServer;
let admin: NatsConnection;
let work: string;
const children: ChildScript[] = [];

beforeAll(async () => {
  const run = promisify(execFile);
  await run(tsc, ["-b", packageDir]);
  for (const dep of ["events", "executor", "msc-ai", "health-monitor"]) {
    if (!existsSync(join(repoDir, "packages", dep, "dist/index.js"))) {
      await run(tsc, ["-b", join(repoDir, "packages", dep)]);
    }
  }
  server = await startNatsServer();
  admin = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  work = mkdtempSync(join(tmpdir(), "qt-faults-"));
}, 180_000);

afterAll(async () => {
  for (const child of children) if (child.process.exitCode === null) child.process.kill("SIGKILL");
  await Promise.all(children.map((c) => c.exited));
  await admin?.close();
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function spawnScript(script: string, env: Record<string, string>): ChildScript {
  const child = runScript(script, { NATS_URL: server.url, ...env });
  children.push(child);
  return child;
}

function lines(path: string): string[] {
  return existsSync(path)
    ? readFileSync(path, "utf8")
        .split("\n")
        .filter((l) => l.length > 0)
    : [];
}

function trade(seq: number): EventEnvelope {
  return TradeExecutedEvent.create(
    {
      order_id: `order-${seq}`,
      symbol: seq % 2 === 0 ? "BTCUSDT" : "ETHUSDT",
      side: seq % 3 === 0 ? "SELL" : "BUY",
      size: 0.25,
      price: 64_000 + (seq % 100),
      strategy_id: "trend",
    },
    { source: "fault-test" },
  );
}

/** Every event id stored in a namespace's stream, read back from the beginning. */
async function storedIds(namespace: string): Promise<string[]> {
  const reader = new NatsEventBus({
    servers: server.url,
    namespace,
    registry: qtEventRegistry,
    logger: silentLogger,
  });
  const ids: string[] = [];
  reader.subscribe(">", (e) => void ids.push(e.id), { from: "beginning" });
  void reader.runForever();
  await reader.idle();
  await reader.stop();
  return ids;
}

describe("faults, with real processes", () => {
  it("a consumer killed with SIGKILL in the middle of 100,000 events: after a restart every event is handled once by the idempotent sink, duplicates bounded by the in-flight window", async () => {
    const namespace = `kill_${randomBytes(3).toString("hex")}`;
    const maxInFlight = 256;
    const sink = join(work, `${namespace}.sink`);
    // A short ack wait: what the killed process held is redelivered 5 s after the kill, not 30.
    const env = {
      NAMESPACE: namespace,
      GROUP: "sink",
      PATTERNS: "trade.executed",
      SINK: sink,
      MAX_IN_FLIGHT: String(maxInFlight),
      ACK_WAIT_MS: "5000",
      FROM: "beginning",
    };
    const publisher = new NatsEventBus({
      servers: server.url,
      namespace,
      registry: qtEventRegistry,
      logger: silentLogger,
    });
    const total = 100_000;
    const published: string[] = [];
    const seqs = Array.from({ length: total }, (_, n) => n);
    const publishing = inBatches(seqs, 1_000, async (seq) => {
      const event = trade(seq);
      await publisher.publish(event);
      published.push(event.id);
    });
    // The consumer SIGKILLs itself right after writing its 40,000th event, before acking it: the
    // worst moment (one event in the sink and unacked, a full window in flight behind it), and a
    // moment that does not depend on how fast this busy test process reads the child's output.
    let consumer = spawnScript("sink-process.mjs", { ...env, KILL_AT: "40000" });
    expect(await consumer.exited).toBe("SIGKILL");
    const atKill = lines(sink).length;

    consumer = spawnScript("sink-process.mjs", env);
    await consumer.waitFor((l) => l.ready === true);
    await publishing;
    await publisher.stop();
    await eventually(
      () => lines(sink).length >= total,
      90_000,
      "every event in the sink",
      () => `${lines(sink).length}`,
    );
    consumer.process.kill("SIGTERM");
    expect(await consumer.exited).toBe(0);

    const written = lines(sink);
    const duplicates = lines(`${sink}.dup`).length;
    expect(atKill).toBe(40_000);
    expect(written).toHaveLength(total);
    expect(new Set(written).size).toBe(total);
    expect(new Set(published)).toEqual(new Set(written));
    expect(duplicates).toBeGreaterThanOrEqual(1); // the event written but not acked came again
    expect(duplicates).toBeLessThanOrEqual(maxInFlight);
    const jsm = await jetstreamManager(admin);
    const info = await jsm.consumers.info(namespace, publisher.names.groupConsumer("sink", "trade.executed"));
    expect([info.num_pending, info.num_ack_pending]).toEqual([0, 0]);
    console.info(
      `SIGKILL fault: ${atKill} handled before the kill, ${duplicates} duplicates after the restart (window ${maxInFlight})`,
    );
  }, 240_000);

  for (const policy of ["wait", "reject"] as const) {
    it(`NATS restarted (file storage) while publishing 10,000 events: no acknowledged event is lost; publishes during the outage ${policy === "wait" ? "wait" : "reject with BROKER_UNAVAILABLE"}, none hangs`, async () => {
      const namespace = `restart_${policy}_${randomBytes(3).toString("hex")}`;
      const acked = join(work, `${namespace}.acked`);
      const rejected = join(work, `${namespace}.rejected`);
      const publisher = spawnScript("publisher-process.mjs", {
        NAMESPACE: namespace,
        COUNT: "10000",
        CONCURRENCY: "50",
        ACKED: acked,
        REJECTED: rejected,
        OUTAGE: policy,
        OUTAGE_WAIT_MS: "20000",
      });
      await publisher.waitFor((l) => typeof l.acked === "number" && l.acked >= 3_000);
      await server.restart({ signal: "SIGKILL", downMs: 1_000 });
      const done = await publisher.waitFor((l) => l.done === true, 60_000);
      expect(await publisher.exited).toBe(0);

      const ackedIds = lines(acked);
      const refused = lines(rejected);
      expect(ackedIds.length + refused.length).toBe(10_000);
      const stored = await storedIds(namespace);
      expect(new Set(stored).size).toBe(stored.length); // a retried publish was stored once
      const storedSet = new Set(stored);
      expect(ackedIds.filter((id) => !storedSet.has(id))).toEqual([]);
      if (policy === "wait") {
        expect(refused).toEqual([]);
      } else {
        expect(refused.length).toBeGreaterThan(0);
        expect(new Set(refused.map((l) => l.split(" ")[1]))).toEqual(new Set(["BROKER_UNAVAILABLE"]));
      }
      console.info(`server restart (${policy}): ${JSON.stringify(done)}`);
    }, 90_000);
  }

  it("the trader split across processes on one stream: every event reaches the event store once, groups share and each gets all", async () => {
    const namespace = `trader_${randomBytes(3).toString("hex")}`;
    const file = (name: string) => join(work, `${namespace}.${name}`);
    const sink = (name: string, group: string, patterns: string) =>
      spawnScript("sink-process.mjs", {
        NAMESPACE: namespace,
        GROUP: group,
        PATTERNS: patterns,
        SINK: file(name),
      });
    const consumers = [
      sink("event-store", "event-store", ">"),
      sink("analytics-1", "analytics", "trade.executed"),
      sink("analytics-2", "analytics", "trade.executed"),
      sink("notifiers", "notifiers", "policy.updated,health.status_changed"),
    ];
    await Promise.all(consumers.map((c) => c.waitFor((l) => l.ready === true)));
    const core = spawnScript("trader-core-process.mjs", {
      NAMESPACE: namespace,
      ORDERS: "300",
      PUBLISHED: file("core"),
    });
    await core.waitFor((l) => l.ready === true);
    const monitor = spawnScript("health-monitor-process.mjs", {
      NAMESPACE: namespace,
      PUBLISHED: file("monitor"),
    });
    expect(await monitor.exited).toBe(0);
    await core.waitFor((l) => l.orders === 300);
    // announce + DEFENSIVE on CRITICAL + back on HEALTHY: three policies from the MSC AI.
    await eventually(
      () => lines(file("core")).filter((l) => l.endsWith(" policy.updated")).length === 3,
      20_000,
      "three policy.updated",
    );
    core.process.kill("SIGTERM");
    expect(await core.exited).toBe(0);

    const published = [...lines(file("core")), ...lines(file("monitor"))].map(
      (l) => l.split(" ") as [string, string],
    );
    const ids = (types: string[]) =>
      published
        .filter(([, type]) => types.includes(type))
        .map(([id]) => id)
        .sort();
    await eventually(
      () => lines(file("event-store")).length >= published.length,
      20_000,
      "the event store to catch up",
    );
    for (const c of consumers) c.process.kill("SIGTERM");
    expect(await Promise.all(consumers.map((c) => c.exited))).toEqual([0, 0, 0, 0]);

    expect(published.length).toBe(300 + 3 + 2);
    expect(lines(file("event-store")).sort()).toEqual(published.map(([id]) => id).sort());
    const analytics = [...lines(file("analytics-1")), ...lines(file("analytics-2"))];
    expect(analytics.sort()).toEqual(ids(["trade.executed"]));
    expect(lines(file("analytics-1")).length).toBeGreaterThan(0);
    expect(lines(file("analytics-2")).length).toBeGreaterThan(0);
    expect(lines(file("notifiers")).sort()).toEqual(ids(["policy.updated", "health.status_changed"]));

    // The DEFENSIVE policy was caused, across processes, by the monitor's CRITICAL event.
    const reader = new NatsEventBus({
      servers: server.url,
      namespace,
      registry: qtEventRegistry,
      logger: silentLogger,
    });
    const events: EventEnvelope[] = [];
    reader.subscribe(">", (e) => void events.push(e), { from: "beginning" });
    void reader.runForever();
    await reader.idle();
    await reader.stop();
    const critical = events.find(
      (e) =>
        e.type === "health.status_changed" && (e.payload as { new_status: string }).new_status === "CRITICAL",
    );
    const defensive = events.find((e) => e.causationId === critical?.id);
    expect(defensive).toMatchObject({ type: "policy.updated", correlationId: critical?.correlationId });
    expect(defensive?.payload).toMatchObject({ risk_mode: "DEFENSIVE" });
  }, 120_000);
});
