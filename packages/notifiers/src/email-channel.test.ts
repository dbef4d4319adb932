import { describe, expect, it } from "vitest";
import { classifySmtpError } from "./email-channel.js";
import { createRedactor } from "./redact.js";

const redact = createRedactor(["hunter2"]);
const smtpError = (message: string, fields: Record<string, unknown>) =>
  Object.assign(new Error(message), fields);

describe("classifySmtpError()", () => {
  it("4xx and 503 replies are transient, other 5xx permanent", () => {
    const busy = smtpError("Message failed: 451 Try again later", {
      code: "EMESSAGE",
      responseCode: 451,
      command: "DATA",
    });
    expect(classifySmtpError(busy, redact)).toMatchObject({
      transient: true,
      status: 451,
      reason: "EMESSAGE",
      message: "SMTP server refused DATA (451): Message failed: 451 Try again later",
    });
    expect(classifySmtpError(smtpError("x", { responseCode: 421 }), redact).transient).toBe(true);
    expect(classifySmtpError(smtpError("x", { responseCode: 503 }), redact).transient).toBe(true);
    expect(
      classifySmtpError(smtpError("x", { responseCode: 550, code: "EENVELOPE" }), redact).transient,
    ).toBe(false);
    expect(classifySmtpError(smtpError("x", { responseCode: 550, permanent: false }), redact).transient).toBe(
      true,
    );
  });

  it("connection failures and timeouts are transient; auth and envelope errors permanent", () => {
    expect(
      classifySmtpError(
        smtpError("Greeting never received", { code: "ETIMEDOUT", timeoutType: "GREETING_TIMEOUT" }),
        redact,
      ),
    ).toMatchObject({ transient: true, message: "SMTP GREETING_TIMEOUT: Greeting never received" });
    for (const code of ["ECONNECTION", "ESOCKET", "EDNS"]) {
      expect(classifySmtpError(smtpError("x", { code }), redact).transient).toBe(true);
    }
    for (const code of ["EAUTH", "ENOAUTH", "EENVELOPE", "ECONFIG", "ETLS"]) {
      expect(classifySmtpError(smtpError("x", { code }), redact).transient).toBe(false);
    }
    expect(classifySmtpError("weird", redact).transient).toBe(true);
  });

  it("redacts the password from the message", () => {
    const auth = smtpError("Invalid login: 535 bad password hunter2", { code: "EAUTH", responseCode: 535 });
    expect(classifySmtpError(auth, redact).message).toBe(
      "SMTP server refused (535): Invalid login: 535 bad password [REDACTED]",
    );
  });
});
