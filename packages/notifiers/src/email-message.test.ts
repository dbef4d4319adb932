import { describe, expect, it } from "vitest";
import { type Alert, createAlert } from "./alert.js";
import { escapeHtml, toEmailMessage } from "./email-message.js";
import { defaultRules } from "./rules.js";
import { healthChanged } from "./testing/fixtures.js";

function alert(overrides: Partial<Alert> = {}): Alert {
  const [critical] = defaultRules();
  return {
    ...createAlert(critical as NonNullable<typeof critical>, healthChanged("CRITICAL"), undefined, 0),
    ...overrides,
  };
}

describe("toEmailMessage()", () => {
  it("writes the subject as [QT][SEVERITY] title", () => {
    expect(toEmailMessage(alert()).subject).toBe("[QT][CRITICAL] DrawdownGuard is CRITICAL");
    expect(toEmailMessage(alert({ severity: "recovery", title: "Feed\r\nBcc: x@evil.test" })).subject).toBe(
      "[QT][RECOVERY] Feed Bcc: x@evil.test",
    );
    expect(toEmailMessage(alert({ title: "x".repeat(500) })).subject).toHaveLength(200);
  });

  it("writes a text part with the summary, fields, suppressed count and event ids", () => {
    const a = alert({ suppressed: 1 });
    const { text } = toEmailMessage(a);
    expect(text).toBe(
      [
        "CRITICAL: DrawdownGuard is CRITICAL",
        "Daily drawdown exceeded",
        "",
        "old_status: HEALTHY",
        "new_status: CRITICAL",
        "component: DrawdownGuard",
        "reason: Daily drawdown exceeded",
        "metrics: dd: -5.2",
        "",
        "1 similar alert suppressed since the last message.",
        "",
        "Event: health.status_changed",
        `Event id: ${a.event.id}`,
        `Correlation id: ${a.event.correlationId}`,
        `Time: ${a.event.timestamp.toISOString()}`,
        "",
      ].join("\n"),
    );
  });

  it("escapes every event value in the HTML part", () => {
    const { html } = toEmailMessage(
      alert({
        title: `<script>alert("x")</script>`,
        summary: "a & b",
        fields: [{ name: "<i>", value: "line 1\n<line 2>" }],
      }),
    );
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<i>");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).toContain("<p>a &amp; b</p>");
    expect(html).toContain('<th align="left" valign="top" style="padding:2px 12px 2px 0">&lt;i&gt;</th>');
    expect(html).toContain("line 1<br>&lt;line 2&gt;");
    expect(html).toContain("#e74c3c");
  });
});

describe("escapeHtml()", () => {
  it("escapes the five HTML-significant characters", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });
});
