#!/usr/bin/env node
/**
 * The trader's entry point: the only module that reads `process.argv`, `process.env`, signals and
 * exit codes. Parse the configuration, build the trader, run it, exit.
 *
 * Exit codes: 0 a run that ended normally (a bounded run done, or SIGINT/SIGTERM handled within
 * the deadline); 1 a fatal error (logged once, with its causes) or a shutdown past its deadline;
 * 2 an invalid configuration, an unreadable candle file or an HTTP port that cannot be bound
 * (nothing is left running); 130/143 a second signal that forced the exit.
 *
 * @packageDocumentation
 */
import { createTrader, type Trader } from "./app.js";
import { parseConfig, usage } from "./config.js";
import { ListenError } from "./http/server.js";
import { CandleFileError } from "./market/csv-candles.js";
import { formatSummary } from "./status/format-summary.js";

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

/** An error and its chain of causes, one line each. */
function describeError(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const prefix = depth === 0 ? "" : "  caused by: ";
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      lines.push(
        `${prefix}${current.name}${typeof code === "string" ? ` [${code}]` : ""}: ${current.message}`,
      );
      current = current.cause;
    } else {
      lines.push(`${prefix}${String(current)}`);
      current = undefined;
    }
  }
  return lines.join("\n");
}

let fatalLogged = false;

/**
 * Logs a fatal error once, tries a clean shutdown (what was written stays written) within a few
 * seconds, and exits 1. Called for anything nobody handled, so no rejection goes unnoticed.
 */
function fatal(error: unknown, trader?: Trader): void {
  if (fatalLogged) return;
  fatalLogged = true;
  err(`fatal: ${describeError(error)}`);
  process.exitCode = 1;
  if (trader === undefined) process.exit(1);
  setTimeout(() => process.exit(1), 5_000).unref();
  trader.stop("fatal").then(
    () => process.exit(1),
    () => process.exit(1),
  );
}

async function main(): Promise<void> {
  const parsed = parseConfig(process.argv.slice(2), process.env);
  if (!parsed.ok) {
    err(parsed.error.message);
    process.exit(2);
  }
  const config = parsed.config;
  if (config.help) {
    process.stdout.write(usage());
    process.exit(0);
  }

  const trader = createTrader(config, { stdout: process.stdout, stderr: process.stderr });
  process.on("unhandledRejection", (reason) => fatal(reason, trader));
  process.on("uncaughtException", (error) => fatal(error, trader));

  let phase: "starting" | "running" | "holding" | "stopping" = "starting";
  const starting = trader.start();

  /** Shuts everything down and exits 0, or 1 past the deadline. */
  const stopAndExit = async (reason: string, printSummary: boolean) => {
    phase = "stopping";
    // A signal during start-up: let the start finish (or fail) first, so nothing is left half-open.
    await starting.catch(() => {});
    setTimeout(() => {
      err(`shutdown did not finish within ${config.shutdownTimeoutMs} ms: exiting`);
      process.exit(1);
    }, config.shutdownTimeoutMs + 2_000).unref();
    try {
      const summary = await trader.stop(reason);
      if (printSummary) for (const line of formatSummary(summary)) out(line);
      process.exit(0);
    } catch (error) {
      fatal(error);
    }
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (phase === "stopping") {
      trader.notice(`${signal} again: exiting now without finishing the shutdown`);
      process.exit(signal === "SIGINT" ? 130 : 143);
    }
    const again = signal === "SIGINT" ? "Ctrl-C" : signal;
    if (phase === "holding") {
      trader.notice(`${signal}: closing the store and the HTTP server`);
      void stopAndExit(signal, false);
      return;
    }
    err(
      `${signal}: shutting down (stopping intake, draining the bus, flushing the store); ${again} again to force`,
    );
    void stopAndExit(signal, true);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  try {
    await starting;
  } catch (error) {
    if (error instanceof ListenError || error instanceof CandleFileError) {
      err(
        `${error instanceof ListenError ? "--port / QT_HTTP_PORT" : "--candles / QT_CANDLES"}: ${error.message}`,
      );
      err("Nothing was started.");
      process.exit(2);
    }
    fatal(error);
    return;
  }
  if (phase === "starting") phase = "running";

  trader.finished.then(
    async (end) => {
      if (phase !== "running") return;
      if (!config.hold || trader.url === undefined) {
        await stopAndExit(end, true);
        return;
      }
      phase = "holding";
      const summary = await trader.halt(end);
      for (const line of formatSummary(summary)) out(line);
      out(`run finished: the dashboard and API stay up at ${trader.url} until Ctrl-C`);
    },
    (error: unknown) => fatal(error, trader),
  );
}

main().catch((error: unknown) => fatal(error));
