import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createEvent, type EventEnvelope } from "@qt/eventbus";
import { afterEach, describe, expect, it } from "vitest";
import { readSse } from "../testing/trader-process.js";
import { parseTypeFilter, SseHub, sseFrame } from "./sse.js";

let server: Server | undefined;
let hub: SseHub | undefined;

afterEach(async () => {
  hub?.close();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

async function serve(
  options: ConstructorParameters<typeof SseHub>[0] = {},
): Promise<{ hub: SseHub; base: string }> {
  const sse = new SseHub(options);
  hub = sse;
  server = createServer((request, response) =>
    sse.handle(request, response, new URL(request.url ?? "/", "http://x")),
  );
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", () => resolve()));
  return { hub: sse, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const trade = (n: number) => createEvent("trade.executed", { order_id: `o-${n}` }, { source: "test" });
const policy = () => createEvent("policy.updated", { risk_mode: "DEFENSIVE" }, { source: "test" });

/** Publishes `events` once the hub has `clients` clients connected. */
function publishWhenConnected(sse: SseHub, clients: number, events: EventEnvelope[]): void {
  const timer = setInterval(() => {
    if (sse.clients < clients) return;
    clearInterval(timer);
    for (const event of events) sse.publish(event);
  }, 5);
}

describe("parseTypeFilter()", () => {
  it("matches types and bus patterns; empty matches everything", () => {
    const matches = parseTypeFilter("trade.executed, health.>");
    expect(matches("trade.executed")).toBe(true);
    expect(matches("health.status_changed")).toBe(true);
    expect(matches("policy.updated")).toBe(false);
    expect(parseTypeFilter("policy.*")("policy.updated")).toBe(true);
    expect(parseTypeFilter("")("anything.at_all")).toBe(true);
    expect(parseTypeFilter(null)("x")).toBe(true);
    expect(() => parseTypeFilter("trade..executed")).toThrow(/segment/);
  });
});

describe("SseHub", () => {
  it("streams only the events a client's type filter matches, with the event id", async () => {
    const { hub: sse, base } = await serve();
    const wanted = [trade(1), trade(2)];
    publishWhenConnected(sse, 2, [...wanted.slice(0, 1), policy(), ...wanted.slice(1)]);
    const [trades, all] = await Promise.all([
      readSse(`${base}/events?type=trade.executed`, (events) => events.length >= 2, 5_000),
      readSse(`${base}/events`, (events) => events.length >= 3, 5_000),
    ]);
    expect(trades.map((e) => (e.data as { payload: { order_id: string } }).payload.order_id)).toEqual([
      "o-1",
      "o-2",
    ]);
    expect(trades.every((e) => e.event === "message")).toBe(true);
    expect(all.map((e) => (e.data as { type: string }).type)).toEqual([
      "trade.executed",
      "policy.updated",
      "trade.executed",
    ]);
    expect(all[0]?.data).toMatchObject({ id: wanted[0]?.id });
  });

  it("sends status frames to clients that ask for them", async () => {
    const { base } = await serve({ status: () => ({ tick: 7 }), statusIntervalMs: 20 });
    const events = await readSse(`${base}/events?status=1&type=nothing.here`, (e) => e.length >= 2, 5_000);
    expect(events.slice(0, 2)).toEqual([
      { event: "status", data: { tick: 7 } },
      { event: "status", data: { tick: 7 } },
    ]);
  });

  it("answers 400 naming a bad filter, and 503 once closed", async () => {
    const { hub: sse, base } = await serve();
    const bad = await fetch(`${base}/events?type=trade..x`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/trade\.\.x/);
    sse.close();
    expect((await fetch(`${base}/events`)).status).toBe(503);
  });

  it("disconnects a client that does not read instead of buffering without bound", async () => {
    const { hub: sse, base } = await serve({ maxBufferedBytes: 10_000 });
    const controller = new AbortController();
    const response = await fetch(`${base}/events`, { signal: controller.signal });
    expect(response.status).toBe(200);
    const big = createEvent("trade.executed", { note: "x".repeat(50_000) }, { source: "test" });
    for (let i = 0; i < 200 && sse.clients > 0; i++) {
      sse.publish(big);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(sse.stats.dropped).toBe(1);
    expect(sse.clients).toBe(0);
    controller.abort();
  });
});

describe("sseFrame()", () => {
  it("writes id, event and data lines", () => {
    expect(sseFrame({ a: 1 }, { id: "e-1", event: "status" })).toBe(
      'id: e-1\nevent: status\ndata: {"a":1}\n\n',
    );
  });
});
