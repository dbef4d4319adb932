import type { JetStreamClient } from "@nats-io/jetstream";
import { describe, expect, it, vi } from "vitest";
import { BrokerUnavailableError } from "../errors.js";
import { AckedPublisher } from "./acked-publisher.js";

/** A JetStream client whose publishes resolve or reject as the test says. */
function fakeJs() {
  const calls: { subject: string; msgID: string; settle: (ok: boolean) => void }[] = [];
  const js = {
    publish: vi.fn(
      (subject: string, _data: unknown, options: { msgID: string }) =>
        new Promise((resolve, reject) => {
          calls.push({
            subject,
            msgID: options.msgID,
            settle: (ok) => (ok ? resolve({ seq: calls.length }) : reject(new Error("timeout"))),
          });
        }),
    ),
  };
  return { js: js as unknown as JetStreamClient, calls };
}

function publisher(policy: "wait" | "reject", outageWaitMs = 1_000) {
  const acked: string[] = [];
  const p = new AckedPublisher({
    policy,
    publishTimeoutMs: 500,
    outageWaitMs,
    now: () => performance.now(),
    onAck: (type) => acked.push(type),
  });
  return { p, acked };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("AckedPublisher", () => {
  it("resolves on the ack and counts it", async () => {
    const { js, calls } = fakeJs();
    const { p, acked } = publisher("wait");
    p.attach(js);
    p.setConnected(true);
    const done = p.publish("qt.a", "{}", "id-1", "a", undefined);
    expect(p.pending).toBe(1);
    calls[0]?.settle(true);
    await done;
    expect(acked).toEqual(["a"]);
    expect(p.pending).toBe(0);
  });

  it("waits for the first connection, then publishes", async () => {
    const { js, calls } = fakeJs();
    const { p } = publisher("reject");
    const done = p.publish("qt.a", "{}", "id-1", "a", undefined);
    await tick();
    expect(calls).toHaveLength(0);
    p.setConnected(true);
    p.attach(js);
    await tick();
    calls[0]?.settle(true);
    await expect(done).resolves.toBeUndefined();
  });

  it("with reject: fails at once during an outage and when the connection drops mid-publish", async () => {
    const { js } = fakeJs();
    const { p } = publisher("reject");
    p.attach(js);
    p.setConnected(true);
    const inFlight = p.publish("qt.a", "{}", "id-1", "a", undefined);
    p.setConnected(false);
    await expect(inFlight).rejects.toBeInstanceOf(BrokerUnavailableError);
    const error = await p.publish("qt.a", "{}", "id-2", "a", undefined).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "BROKER_UNAVAILABLE", eventId: "id-2", attempts: 0 });
  });

  it("with wait: tries again with the same id once reconnected", async () => {
    const { js, calls } = fakeJs();
    const { p } = publisher("wait");
    p.attach(js);
    p.setConnected(true);
    const done = p.publish("qt.a", "{}", "id-1", "a", undefined);
    p.setConnected(false);
    p.setConnected(true);
    await tick();
    expect(calls.map((c) => c.msgID)).toEqual(["id-1", "id-1"]);
    calls[0]?.settle(false); // the abandoned try's late failure is ignored
    calls[1]?.settle(true);
    await expect(done).resolves.toBeUndefined();
  });

  it("with wait: gives up after outageWaitMs instead of hanging", async () => {
    const { js } = fakeJs();
    const { p } = publisher("wait", 120);
    p.attach(js);
    p.setConnected(true);
    p.setConnected(false);
    const started = performance.now();
    const error = await p.publish("qt.a", "{}", "id-1", "a", undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerUnavailableError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
    expect(p.pending).toBe(0);
  });

  it("with wait: a failed try while connected is retried after a pause", async () => {
    const { js, calls } = fakeJs();
    const { p } = publisher("wait");
    p.attach(js);
    p.setConnected(true);
    const done = p.publish("qt.a", "{}", "id-1", "a", undefined);
    calls[0]?.settle(false);
    await vi.waitFor(() => expect(calls).toHaveLength(2), { timeout: 1_000 });
    calls[1]?.settle(true);
    await expect(done).resolves.toBeUndefined();
  });

  it("settled() resolves once every publish has settled; abandonAll() rejects the rest", async () => {
    const { js } = fakeJs();
    const { p } = publisher("wait");
    p.attach(js);
    p.setConnected(true);
    const done = p.publish("qt.a", "{}", "id-1", "a", undefined).catch((e: unknown) => e);
    const settled = p.settled();
    p.abandonAll("stopping");
    await settled;
    expect(await done).toBeInstanceOf(BrokerUnavailableError);
  });
});
