import { DiscordAPIError, HTTPError, RateLimitError, WebhookClient } from "discord.js";
import { describe, expect, it } from "vitest";
import { classifyDiscordError, parseWebhookUrl } from "./discord-channel.js";
import { createRedactor } from "./redact.js";
import { WEBHOOK_ID, WEBHOOK_TOKEN } from "./testing/fixtures.js";

const url = `https://discord.com/api/v10/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}?wait=true`;
const redact = createRedactor([WEBHOOK_TOKEN]);
const body = { body: undefined, files: undefined };

describe("parseWebhookUrl()", () => {
  it("reads id and token from Discord webhook URLs", () => {
    const expected = { id: WEBHOOK_ID, token: WEBHOOK_TOKEN };
    expect(parseWebhookUrl(`https://discord.com/api/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}`)).toEqual(
      expected,
    );
    expect(
      parseWebhookUrl(`https://ptb.discord.com/api/v10/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}/`),
    ).toEqual(expected);
    expect(parseWebhookUrl(`https://discordapp.com/api/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}`)).toEqual(
      expected,
    );
  });

  it("returns undefined for anything else", () => {
    expect(
      parseWebhookUrl(`https://discord.com.evil.test/api/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}`),
    ).toBeUndefined();
    expect(parseWebhookUrl(`https://discord.com/api/webhooks/${WEBHOOK_ID}`)).toBeUndefined();
    expect(parseWebhookUrl(`https://discord.com/api/webhooks/${WEBHOOK_ID}/short`)).toBeUndefined();
  });
});

describe("classifyDiscordError()", () => {
  it("a 429 is transient and carries its retry-after", () => {
    const error = new RateLimitError({
      timeToReset: 0,
      limit: 5,
      method: "POST",
      hash: "h",
      url,
      route: "/webhooks/:id/:token",
      majorParameter: WEBHOOK_ID,
      global: false,
      retryAfter: 1_500,
      sublimitTimeout: 0,
      scope: "user",
    });
    expect(classifyDiscordError(error, redact)).toMatchObject({
      transient: true,
      status: 429,
      retryAfterMs: 1_500,
      message: "Discord rate limit (429): retry after 1500 ms",
    });
  });

  it("a 5xx is transient, a 4xx permanent; neither mentions the URL", () => {
    const server = classifyDiscordError(new HTTPError(502, "Bad Gateway", "POST", url, body), redact);
    expect(server).toMatchObject({
      transient: true,
      status: 502,
      message: "Discord answered 502 Bad Gateway",
    });
    const refused = classifyDiscordError(
      new DiscordAPIError({ message: "Invalid Webhook Token", code: 50027 }, 50027, 401, "POST", url, body),
      redact,
    );
    expect(refused).toMatchObject({ transient: false, status: 401, reason: "50027" });
    expect(refused.message).toBe("Discord refused the message (401, code 50027): Invalid Webhook Token");
  });

  it("a timeout and a network error are transient; a discord.js usage error is permanent", async () => {
    const abort = Object.assign(new Error("This operation was aborted"), { name: "AbortError" });
    expect(classifyDiscordError(abort, redact, 2_000)).toMatchObject({
      transient: true,
      message: "Discord did not answer within 2000 ms",
    });
    const reset = new TypeError("fetch failed", {
      cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }),
    });
    expect(classifyDiscordError(reset, redact)).toMatchObject({
      transient: true,
      reason: "UND_ERR_SOCKET",
      message: "Network error talking to Discord (UND_ERR_SOCKET): fetch failed",
    });
    // A real usage error of discord.js, thrown before any request: a webhook without a token.
    const client = new WebhookClient({ id: WEBHOOK_ID, token: "" });
    const usage = await client.send("x").catch((error: unknown) => error);
    client.destroy();
    expect(classifyDiscordError(usage, redact)).toMatchObject({
      transient: false,
      reason: "WebhookTokenUnavailable",
    });
  });

  it("redacts a token echoed in an error message", () => {
    const echoed = new DiscordAPIError(
      { message: `bad ${WEBHOOK_TOKEN}`, code: 0 },
      0,
      400,
      "POST",
      url,
      body,
    );
    expect(classifyDiscordError(echoed, redact).message).toBe(
      "Discord refused the message (400, code 0): bad [REDACTED]",
    );
  });
});
