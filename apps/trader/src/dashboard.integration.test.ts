import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_DIR, buildTrader, spawnTrader, type TraderProcess } from "./testing/trader-process.js";

const CHROMIUM = "/usr/bin/chromium";

/** The little of the DOM the functions run in the page use (the repository's tsconfig has no DOM library). */
interface PageNode {
  readonly textContent: string | null;
  readonly dataset: Record<string, string | undefined>;
  readonly width: number;
  readonly height: number;
  getContext(
    kind: "2d",
  ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
declare const document: {
  querySelector(selector: string): PageNode | null;
  querySelectorAll(selector: string): { readonly length: number };
};
const SCREENSHOT = join(APP_DIR, "test-output", "dashboard.png");

describe("the dashboard, in Chromium", () => {
  let trader: TraderProcess;
  let browser: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `no Chromium at ${CHROMIUM}: install Debian's (apt-get install chromium), as .ci/run does`,
      );
    }
    await buildTrader();
    const db = join(mkdtempSync(join(tmpdir(), "qt-dashboard-")), "qt.db");
    trader = spawnTrader(["--seed", "42", "--port", "0", "--db", db, "--speed", "60"]);
    profile = mkdtempSync(join(tmpdir(), "qt-chromium-"));
    // A fresh profile per run: Playwright takes it as the persistent context's user data dir.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      viewport: { width: 1400, height: 1000 },
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (trader !== undefined && trader.child.exitCode === null) {
      trader.child.kill("SIGTERM");
      await trader.exited;
    }
    rmSync(profile, { recursive: true, force: true });
  });

  it("shows live events, the account and a drawn equity chart", async () => {
    const url = await trader.url();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(url);

    // Events arrive live over SSE: the feed grows after the page has loaded.
    await page.waitForFunction(() => document.querySelectorAll("#feed li.event").length >= 1, null, {
      timeout: 30_000,
    });
    const first = await page.locator("#feed li.event").count();
    await page.waitForFunction((n) => document.querySelectorAll("#feed li.event").length > n + 2, first, {
      timeout: 30_000,
    });
    await expect.poll(() => page.locator("#conn").textContent()).toBe("live");

    // Status frames fill in the account, risk mode and health.
    await page.waitForFunction(() => document.querySelector("#risk-mode")?.textContent !== "–", null, {
      timeout: 30_000,
    });
    expect(await page.locator("#risk-mode").textContent()).toMatch(/^(AGGRESSIVE|NORMAL|DEFENSIVE)$/);
    expect(await page.locator("#health").textContent()).toMatch(/^(HEALTHY|DEGRADED|CRITICAL)$/);
    expect(await page.locator("#equity").textContent()).toMatch(/^\d{2,3},\d{3}\.\d{2}$/);

    // Trades come through: the account moves.
    await page.waitForFunction(() => Number(document.querySelector("#trades")?.textContent) >= 3, null, {
      timeout: 45_000,
    });
    // The chart: enough points drawn that the curve has pixels of its own colour.
    await page.waitForFunction(
      () => {
        const canvas = document.querySelector("#equity-chart");
        const context = canvas?.getContext("2d");
        if (canvas === null || context === null || context === undefined) return false;
        const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
        let curve = 0;
        for (let i = 0; i < data.length; i += 4) {
          // The equity line is blue (#58a6ff); the background is #161c23.
          if ((data[i + 2] ?? 0) > 200 && (data[i] ?? 0) < 140) curve++;
        }
        return curve > 200;
      },
      null,
      { timeout: 30_000 },
    );
    const feedTypes = await page
      .locator("#feed li.event")
      .evaluateAll((items) => items.map((item) => (item as unknown as PageNode).dataset.type));
    expect(feedTypes.length).toBeGreaterThan(first);

    mkdirSync(join(APP_DIR, "test-output"), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(errors).toEqual([]);
  });
});
