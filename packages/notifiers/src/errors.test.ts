import { describe, expect, it } from "vitest";
import { ChannelClosedError, ConfigError, NotifierError, QueueFullError, SendError } from "./errors.js";

describe("NotifierError", () => {
  it("every error has a name and a code, and isInstance() recognises them by marker", () => {
    const errors = [
      new ConfigError("EmailNotifier", [{ path: "to", message: "expected >= 1 items, received 0" }]),
      new SendError({ channel: "discord", message: "x", transient: true }),
      new QueueFullError("DiscordNotifier", 10),
      new ChannelClosedError("EmailNotifier"),
    ];
    expect(errors.map((e) => [e.name, e.code])).toEqual([
      ["ConfigError", "INVALID_CONFIG"],
      ["SendError", "SEND_FAILED"],
      ["QueueFullError", "QUEUE_FULL"],
      ["ChannelClosedError", "CHANNEL_CLOSED"],
    ]);
    for (const error of errors) expect(NotifierError.isInstance(error)).toBe(true);
    expect(NotifierError.isInstance(new Error("x"))).toBe(false);
    expect(NotifierError.isInstance({ [Symbol.for("@qt/notifiers.error")]: true })).toBe(true);
  });

  it("ConfigError lists its issues in the message", () => {
    const error = new ConfigError("EmailNotifier", [
      { path: "to.1", message: "expected an email address" },
      { path: "", message: "expected exactly one of transport and smtpUrl" },
    ]);
    expect(error.message).toBe(
      "Invalid EmailNotifier options: to.1: expected an email address; expected exactly one of transport and smtpUrl",
    );
  });
});
