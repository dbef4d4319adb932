import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createTrader } from "./app.js";
import { parseConfig } from "./config.js";

const WEBHOOK_ID = "123456789012345678";
const WEBHOOK_TOKEN = "secret-token-abcdefghijklmnopqrstuvwxyz012345";

/** A stand-in for Discord's webhook endpoint on 127.0.0.1 that records what it is sent. */
async function fakeDiscord(): Promise<{
  api: string;
  bodies: { path: string; body: unknown }[];
  close(): Promise<void>;
}> {
  const bodies: { path: string; body: unknown }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as { content?: string };
      bodies.push({ path: request.url ?? "", body });
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          id: "1100000000000000001",
          channel_id: "1",
          type: 0,
          content: body.content ?? "",
          embeds: [],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    api: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("notifiers", () => {
  it("say once at start that they are off without credentials", async () => {
    const lines: string[] = [];
    const db = join(mkdtempSync(join(tmpdir(), "qt-notifiers-")), "qt.db");
    const parsed = parseConfig(
      ["--no-http", "--speed", "max", "--until-trades", "1", "--status", "off", "--db", db],
      {},
    );
    if (!parsed.ok) throw parsed.error;
    const trader = createTrader(parsed.config, {
      stdout: { write: (text: string) => lines.push(text) },
      stderr: { write: () => true },
    });
    await trader.start();
    await trader.stop(await trader.finished);
    const output = lines.join("");
    expect(output.match(/discord alerts are off/g)).toHaveLength(1);
    expect(output.match(/email alerts are off/g)).toHaveLength(1);
  });

  it("send the drawdown guard's health alerts to Discord, never logging the webhook token", async () => {
    const discord = await fakeDiscord();
    const logs: string[] = [];
    const db = join(mkdtempSync(join(tmpdir(), "qt-notifiers-")), "qt.db");
    const parsed = parseConfig(
      ["--no-http", "--speed", "max", "--until-trades", "40", "--status", "off", "--db", db],
      { QT_DISCORD_WEBHOOK_URL: `https://discord.com/api/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}` },
    );
    if (!parsed.ok) throw parsed.error;
    const trader = createTrader(parsed.config, {
      stdout: { write: (text: string) => logs.push(text) },
      stderr: { write: (text: string) => logs.push(text) },
      discordApi: discord.api,
    });
    try {
      await trader.start();
      await trader.stop(await trader.finished);
    } finally {
      await discord.close();
    }
    expect(discord.bodies.length).toBeGreaterThan(0);
    expect(
      discord.bodies.every((b) => b.path.startsWith(`/api/v10/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}`)),
    ).toBe(true);
    const text = JSON.stringify(discord.bodies.map((b) => b.body));
    expect(text).toMatch(/DrawdownGuard/);
    expect(text).toMatch(/DEGRADED|CRITICAL/);
    expect(text).not.toMatch(/model\.promoted/);
    expect(logs.join("")).not.toContain(WEBHOOK_TOKEN);
  });
});
