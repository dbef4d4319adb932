import { createRecordingLogger } from "@qt/eventbus/testing";
import { describe, expect, it } from "vitest";
import { runDemo } from "./demo.js";

describe("runDemo()", () => {
  it("runs the guide's flows: trades tracked, CRITICAL health makes the policy DEFENSIVE", async () => {
    const logger = createRecordingLogger();
    const result = await runDemo(logger);
    expect(result.totalPnl).toBe(150);
    expect(result.riskMode).toBe("DEFENSIVE");
    expect(result.lines.at(-1)).toBe("stats    published 4, dispatched 4, errors 0, handlers 3");
    expect(result.lines.find((l) => l.startsWith("policy"))).toMatch(
      /DEFENSIVE, max risk 0.01 \(caused by [0-9a-f]{8}\)/,
    );
    expect(logger.entries).toEqual([]);
  });
});
