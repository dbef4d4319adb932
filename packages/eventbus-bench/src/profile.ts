/**
 * Profiles the timed pass of throughput workers and prints where the CPU went, grouped as in
 * analysis.md: the figures its "What bounds the misses" section is written from.
 *
 * `node dist/profile.js [--library qt-bus] [--handlers 1,10] [--events 1000000] [--interval-us 100] [--top 12]`
 *
 * Each run is one worker process (`node --expose-gc`), profiled by V8's sampler from the first
 * publish to the last completion only; the profiles are kept in `bench-results/profiles/`.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { type CpuProfile, PROFILE_GROUPS, type ProfileSummary, summariseProfile } from "./cpu-profile.js";
import { LIBRARY_NAMES, type LibraryName, type ThroughputResult, type ThroughputSpec } from "./spec.js";

const WORKER = fileURLToPath(new URL("./worker.js", import.meta.url));
const PROFILES = fileURLToPath(new URL("../bench-results/profiles/", import.meta.url));
const execFileAsync = promisify(execFile);

const argv = process.argv.slice(2);
const { values: args } = parseArgs({
  args: argv[0] === "--" ? argv.slice(1) : argv,
  options: {
    library: { type: "string", default: "qt-bus" },
    handlers: { type: "string", default: "1,10" },
    events: { type: "string", default: "1000000" },
    "interval-us": { type: "string", default: "100" },
    top: { type: "string", default: "12" },
  },
});
const libraries = args.library.split(",") as LibraryName[];
for (const name of libraries) {
  if (!LIBRARY_NAMES.includes(name))
    throw new Error(`unknown library ${name}: one of ${LIBRARY_NAMES.join(", ")}`);
}

interface Run {
  readonly label: string;
  readonly result: ThroughputResult;
  readonly summary: ProfileSummary;
}

mkdirSync(PROFILES, { recursive: true });
const runs: Run[] = [];
for (const library of libraries) {
  for (const handlers of args.handlers.split(",").map(Number)) {
    const file = join(PROFILES, `${library}-${handlers}h.cpuprofile`);
    const spec: ThroughputSpec = {
      scenario: "throughput",
      library,
      handlers,
      validate: false,
      events: Number(args.events),
      cpuProfile: { file, intervalUs: Number(args["interval-us"]) },
    };
    const { stdout } = await execFileAsync(process.execPath, ["--expose-gc", WORKER, JSON.stringify(spec)]);
    const result = JSON.parse(stdout.trim().split("\n").at(-1) as string) as ThroughputResult;
    const summary = summariseProfile(JSON.parse(readFileSync(file, "utf8")) as CpuProfile);
    runs.push({ label: `${library}, ${handlers} handler${handlers === 1 ? "" : "s"}`, result, summary });
  }
}

const pct = (us: number, total: number) => `${((us / total) * 100).toFixed(1)} %`;
const out: string[] = [
  `Self time of the timed pass (${Number(args.events).toLocaleString("en-US")} events, sampled every ${args["interval-us"]} µs, idle left out):`,
  "",
  `| group | ${runs.map((r) => r.label).join(" | ")} |`,
  `|---|${runs.map(() => "--:").join("|")}|`,
  ...PROFILE_GROUPS.map(
    (group) =>
      `| ${group} | ${runs.map((r) => pct(r.summary.groups[group], r.summary.totalUs)).join(" | ")} |`,
  ),
  `| events/s while profiled | ${runs.map((r) => Math.round(r.result.eventsPerSecond).toLocaleString("en-US")).join(" | ")} |`,
];
for (const run of runs) {
  out.push(
    "",
    `Top functions by self time, ${run.label}:`,
    "",
    "| function | where | group | self |",
    "|---|---|---|--:|",
    ...run.summary.functions
      .slice(0, Number(args.top))
      .map((f) => `| \`${f.name}\` | ${f.location} | ${f.group} | ${pct(f.selfUs, run.summary.totalUs)} |`),
  );
}
process.stdout.write(`${out.join("\n")}\n`);
