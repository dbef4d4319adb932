import { fileURLToPath } from "node:url";
import type { Environment } from "./environment.js";
import { libraries } from "./libraries.js";
import { DISTINCT_EVENTS, WARMUP_EVENTS, WARMUP_PASSES } from "./scenarios/throughput.js";
import { type LatencyResult, LIBRARY_NAMES, type LibraryName, type MemoryResult } from "./spec.js";
import { median } from "./statistics.js";

/** How a run was configured. */
export interface Settings {
  readonly rounds: number;
  readonly events: number;
  readonly latencyRounds: number;
  readonly latencySeconds: number;
  readonly rate: number;
  readonly memoryEvents: number;
}

/** Every sample of one throughput scenario, per library (one per round). */
export interface ThroughputSamples {
  readonly handlers: number;
  readonly validate: boolean;
  readonly eventsPerSecond: Record<LibraryName, number[]>;
}

/** Everything a run measured. */
export interface BenchResults {
  readonly settings: Settings;
  readonly throughput: readonly ThroughputSamples[];
  readonly latency: Record<LibraryName, LatencyResult[]>;
  readonly memory: readonly MemoryResult[];
  readonly durationSeconds: number;
}

/** A target of the issue, and whether this run met it. */
export interface TargetOutcome {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

const OURS: LibraryName = "qt-bus";
/** Our bus with `propagateContext: false`: reported beside the targets, never judged by them. */
const OURS_NO_CONTEXT: LibraryName = "qt-bus-no-context";
/** What turning context propagation off gives up, wherever the variant is shown. */
export const NO_CONTEXT_CAVEAT =
  "context propagation off: events published by handlers are not correlated and the causation depth limit is not enforced";

/** One ratio the targets are about, computed with `ours` as our side. */
interface Comparison {
  /** The target's wording, e.g. `1 handler: >= 2x eventemitter2 emitAsync`. */
  readonly target: string;
  /** The same comparison with the no-context variant, e.g. `1 handler: ... / eventemitter2 emitAsync`. */
  readonly informational: string;
  /** The goal alone, e.g. `>= 2x`. */
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean;
}

/** The throughput and latency comparisons of the targets, with `ours` in place of our bus. */
function compare(results: BenchResults, ours: LibraryName): Comparison[] {
  const rate = (handlers: number, validate: boolean, library: LibraryName) => {
    const table = results.throughput.find((t) => t.handlers === handlers && t.validate === validate);
    return table === undefined ? Number.NaN : median(table.eventsPerSecond[library]);
  };
  const variant = "ours without context propagation";
  const comparisons: Comparison[] = [];
  for (const handlers of [1, 10]) {
    const label = handlers === 1 ? "1 handler" : `${handlers} handlers`;
    const vsEe2 = rate(handlers, false, ours) / rate(handlers, false, "eventemitter2");
    const vsEmittery = rate(handlers, false, ours) / rate(handlers, false, "emittery");
    const validated = rate(handlers, true, ours) / rate(handlers, false, "eventemitter2");
    comparisons.push(
      {
        target: `${label}: >= 2x eventemitter2 emitAsync`,
        informational: `${label}: ${variant} / eventemitter2 emitAsync`,
        goal: ">= 2x",
        measured: ratio(vsEe2),
        met: vsEe2 >= 2,
      },
      {
        target: `${label}: >= 10x emittery emit`,
        informational: `${label}: ${variant} / emittery emit`,
        goal: ">= 10x",
        measured: ratio(vsEmittery),
        met: vsEmittery >= 10,
      },
      {
        target: `${label}, ours validating: >= 1.5x eventemitter2 not validating`,
        informational: `${label}: ${variant}, validating / eventemitter2 not validating`,
        goal: ">= 1.5x",
        measured: ratio(validated),
        met: validated >= 1.5,
      },
    );
  }
  const p99 = (library: LibraryName) => median(results.latency[library].map((r) => r.p99Us));
  const at = `p99 at ${count(results.settings.rate)}/s`;
  const vsNode = p99(ours) / p99("node-events");
  comparisons.push(
    {
      target: `${at}: <= 2x node:events' p99`,
      informational: `${at}: ${variant} / node:events`,
      goal: "<= 2x",
      measured: `${us(p99(ours))} vs ${us(p99("node-events"))} (${ratio(vsNode)})`,
      met: vsNode <= 2,
    },
    {
      target: `${at}: below emittery's p99`,
      informational: `${at}: ${variant} / emittery`,
      goal: "below",
      measured: `${us(p99(ours))} vs ${us(p99("emittery"))} (${ratio(p99(ours) / p99("emittery"))})`,
      met: p99(ours) < p99("emittery"),
    },
  );
  return comparisons;
}

/**
 * Checks the targets on this run's medians (ratios are always within one run), on `qt-bus` with
 * its defaults: every guarantee on.
 *
 * @example
 * ```ts
 * for (const t of evaluateTargets(results)) console.log(t.met ? "met" : "MISSED", t.target);
 * ```
 */
export function evaluateTargets(results: BenchResults): TargetOutcome[] {
  const outcomes: TargetOutcome[] = compare(results, OURS).map(({ target, measured, met }) => ({
    target,
    measured,
    met,
  }));
  const bytes = median(results.memory.map((m) => m.bytesPerEvent));
  outcomes.push({
    target: "<= 64 bytes of bus overhead per queued event",
    measured: `${bytes.toFixed(1)} B`,
    met: bytes <= 64,
  });
  return outcomes;
}

/**
 * The tables and targets, as Markdown: what the run prints and the body of BENCHMARKS.md.
 *
 * @example
 * ```ts
 * process.stdout.write(renderResults(results, evaluateTargets(results)));
 * ```
 */
export function renderResults(results: BenchResults, targets: readonly TargetOutcome[]): string {
  const { settings } = results;
  const out: string[] = [];
  out.push("## Targets", "", "| target | measured | met |", "|---|---|---|");
  for (const t of targets) out.push(`| ${t.target} | ${t.measured} | ${t.met ? "yes" : "**no**"} |`);
  out.push(
    "",
    `The targets are judged on \`${OURS}\`, every guarantee on. For information only, the same ratios with \`${OURS_NO_CONTEXT}\` as ours (${NO_CONTEXT_CAVEAT}):`,
    "",
    "| informational, not a target | measured | the target's goal | would meet it |",
    "|---|---|---|---|",
  );
  for (const c of compare(results, OURS_NO_CONTEXT)) {
    out.push(`| ${c.informational} | ${c.measured} | ${c.goal} | ${c.met ? "yes" : "no"} |`);
  }

  for (const table of results.throughput) {
    const handlers = table.handlers === 1 ? "1 async handler" : `${table.handlers} async handlers`;
    out.push(
      "",
      `## Throughput: ${handlers}${table.validate ? ", zod validation at publish" : ""}`,
      "",
      `Events/s (each delivered to ${table.handlers === 1 ? "the handler" : `all ${table.handlers}`}), from the first publish until every handler invocation completed; median of ${settings.rounds} rounds of ${count(settings.events)} events.`,
      "",
      "| library | median events/s | min - max | ours / library | ours without context / library |",
      "|---|--:|--:|--:|--:|",
    );
    const ours = median(table.eventsPerSecond[OURS]);
    const oursNoContext = median(table.eventsPerSecond[OURS_NO_CONTEXT]);
    for (const name of LIBRARY_NAMES) {
      const samples = table.eventsPerSecond[name];
      const m = median(samples);
      out.push(
        `| ${name} | ${count(m)} | ${count(Math.min(...samples))} - ${count(Math.max(...samples))} | ${ratio(ours / m)} | ${ratio(oursNoContext / m)} |`,
      );
    }
  }

  out.push(
    "",
    `## Latency at a fixed ${count(settings.rate)} events/s`,
    "",
    `One async handler; publish-to-handler-entry time, µs; median over ${settings.latencyRounds} rounds of ${settings.latencySeconds} s (${count(settings.rate * settings.latencySeconds)} samples each). "p99 from timetable" counts from each event's slot on the timetable, so it adds the driver's own lateness (a \`setImmediate\` loop) to every library alike.`,
    "",
    "| library | p50 | p99 | max | p99 from timetable | ours / library (p99) | ours without context / library (p99) |",
    "|---|--:|--:|--:|--:|--:|--:|",
  );
  const p99 = (name: LibraryName) => median(results.latency[name].map((r) => r.p99Us));
  for (const name of LIBRARY_NAMES) {
    const rounds = results.latency[name];
    const cell = (pick: (r: LatencyResult) => number) => us(median(rounds.map(pick)));
    out.push(
      `| ${name} | ${cell((r) => r.p50Us)} | ${cell((r) => r.p99Us)} | ${cell((r) => r.maxUs)} | ${cell((r) => r.scheduledP99Us)} | ${ratio(p99(OURS) / p99(name))} | ${ratio(p99(OURS_NO_CONTEXT) / p99(name))} |`,
    );
  }

  const memory = (pick: (m: MemoryResult) => number) => `${median(results.memory.map(pick)).toFixed(1)} B`;
  out.push(
    "",
    "## Heap per queued event (InMemoryEventBus)",
    "",
    `${count(settings.memoryEvents)} events published to a bus that is not running (\`maxQueueSize\` ${count(settings.memoryEvents)}, policy \`reject\`); \`global.gc()\` twice before each reading; median of ${results.memory.length} processes.`,
    "",
    "| measure | bytes per event |",
    "|---|--:|",
    `| bus overhead: (heap, events held by the bus only - heap, same events in a plain array) / N | ${memory((m) => m.bytesPerEvent)} |`,
    `| everything the bus adds: (heap, events in the bus and the array - heap, array only) / N | ${memory((m) => m.grossBytesPerEvent)} |`,
    `| check: the plain array's own share, (heap, both - heap, bus only) / N (8 B a slot expected) | ${memory((m) => m.arrayBytesPerEvent)} |`,
    "",
  );
  return out.join("\n");
}

/** The hand-maintained analysis that closes BENCHMARKS.md: `packages/eventbus-bench/analysis.md`. */
export const ANALYSIS_FILE = fileURLToPath(new URL("../analysis.md", import.meta.url));

/**
 * The whole BENCHMARKS.md: a header naming the machine, Node.js and every library version, the
 * method, then {@link renderResults}, then `analysis` (the content of {@link ANALYSIS_FILE}),
 * verbatim.
 *
 * @example
 * ```ts
 * renderMarkdown(results, describeEnvironment(["emittery"]), body, new Date(), readFileSync(ANALYSIS_FILE, "utf8"));
 * ```
 */
export function renderMarkdown(
  results: BenchResults,
  environment: Environment,
  body: string,
  date: Date,
  analysis: string,
): string {
  const { settings } = results;
  const v = environment.versions;
  const header = [
    "# Benchmarks: InMemoryEventBus vs. in-process emitters",
    "",
    `Generated by \`pnpm bench\` (packages/eventbus-bench) on ${date.toISOString()}, in ${Math.round(results.durationSeconds)} s. Do not edit: run it again.`,
    "",
    "## Machine",
    "",
    "| | |",
    "|---|---|",
    `| CPU | ${environment.cpu}, ${environment.cores} cores |`,
    `| memory | ${environment.memoryGiB.toFixed(1)} GiB |`,
    `| OS | ${environment.os} |`,
    `| Node.js | ${environment.node} |`,
    "",
    "## Libraries",
    "",
    "| library | version | publishes with |",
    "|---|---|---|",
    ...LIBRARY_NAMES.map((name) => {
      const lib = libraries[name];
      const version =
        lib.packageName === undefined
          ? `Node.js ${environment.node}`
          : `${lib.packageName} ${v[lib.packageName]}`;
      return `| ${name} | ${version} | ${lib.publishes} |`;
    }),
    "",
    `Events: \`TradeExecutedEvent.create(...)\` of @qt/events ${v["@qt/events"]}; validation: \`qtEventRegistry.validate(e)\` (zod ${v.zod}), given to our bus as \`registry\` and called by the others before each emit.`,
    "",
    "## Method",
    "",
    `- Every library gets the same events (${count(settings.events)} publishes per timed pass, cycling through ${count(DISTINCT_EVENTS)} distinct events made by the factory before timing) and the same handler, \`async (e) => { sink += e.payload.size; count++ }\` (emittery's listener unwraps \`{ data }\` first). A pass ends when every handler invocation has completed, checked by the count and, for our bus, by its stats (all delivered, no error).`,
    `- One child process (\`node --expose-gc\`) per library, scenario and round, so no library's JIT state or promise hooks affect another; ${settings.rounds} rounds with the library order rotated each round; ${WARMUP_PASSES} warm-up passes of ${count(WARMUP_EVENTS)} events on separate instances, then \`gc()\`, before each timed pass; medians reported.`,
    "- Our bus runs with its defaults (bounded queue, policy `block`, causation tracking through AsyncLocalStorage), `logger: silentLogger`, and `registry` only in the validation scenarios.",
    `- \`${OURS_NO_CONTEXT}\` is the same bus with \`propagateContext: false\` (${NO_CONTEXT_CAVEAT}), so AsyncLocalStorage and its promise hooks stay off. It is shown beside the others and in informational ratios; the targets are judged on \`${OURS}\` alone.`,
    "- node:events, eventemitter3 and tseep call listeners synchronously and drop the promises they return: no awaiting and no error isolation, so they are the ceiling, not like-for-like peers.",
    "",
  ];
  return `${header.join("\n")}\n${body}\n${analysis.trim()}\n`;
}

function count(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

function ratio(value: number): string {
  return `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}x`;
}

function us(value: number): string {
  return `${value.toFixed(2)} µs`;
}
