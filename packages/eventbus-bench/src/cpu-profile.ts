import { Session } from "node:inspector/promises";

/** A V8 CPU profile, as `node --cpu-prof` or the inspector's `Profiler.stop` gives it (the parts read here). */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly children?: readonly number[];
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }[];
  /** The node sampled, one per sample. */
  readonly samples: readonly number[];
  /** µs since the previous sample, one per sample. */
  readonly timeDeltas: readonly number[];
}

/**
 * Starts the V8 sampling profiler in this process (through the inspector, so only the code between
 * this call and the returned `stop` is profiled, not the set-up around it).
 *
 * @example
 * ```ts
 * const stop = await startCpuProfile(100);
 * await work();
 * const profile = await stop();
 * ```
 */
export async function startCpuProfile(intervalUs: number): Promise<() => Promise<CpuProfile>> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: intervalUs });
  await session.post("Profiler.start");
  return async () => {
    const { profile } = await session.post("Profiler.stop");
    session.disconnect();
    return profile as CpuProfile;
  };
}

/** Where the self time of a profile went, in the groups the report discusses. */
export const PROFILE_GROUPS = [
  "AsyncLocalStorage promise hooks",
  "clock reads",
  "bus bookkeeping",
  "the handler",
  "GC",
  "the rest",
] as const;

/** One of {@link PROFILE_GROUPS}. */
export type ProfileGroup = (typeof PROFILE_GROUPS)[number];

/** Self time of one function (name, file and line), summed over the samples of a profile. */
export interface FunctionTime {
  readonly name: string;
  readonly location: string;
  readonly group: ProfileGroup;
  readonly selfUs: number;
}

/** A profile reduced to self time per group and per function, `(idle)` left out. */
export interface ProfileSummary {
  readonly totalUs: number;
  readonly groups: Readonly<Record<ProfileGroup, number>>;
  /** Every function with self time, the most first. */
  readonly functions: readonly FunctionTime[];
}

/**
 * Sums self time per function and per {@link ProfileGroup}; a sample lasts until the next one (as
 * in Chrome's DevTools). Node's async_hooks internals (the promise hooks AsyncLocalStorage enables,
 * and its `run`/`getStore`) count as "AsyncLocalStorage promise hooks"; `performance.now` as "clock
 * reads"; code of packages/eventbus as "bus bookkeeping"; `scenarios/completion.js` (the handler
 * every library runs) as "the handler". A native function or a Node argument check is charged to
 * the group of its JavaScript caller (so the native half of `performance.now` is a clock read).
 *
 * @example
 * ```ts
 * const { groups, totalUs } = summariseProfile(profile);
 * console.log((groups.GC / totalUs) * 100, "% in GC");
 * ```
 */
export function summariseProfile(profile: CpuProfile): ProfileSummary {
  const selfByNode = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const node = profile.samples[i] as number;
    const lasted = i + 1 < profile.samples.length ? (profile.timeDeltas[i + 1] ?? 0) : 0;
    selfByNode.set(node, (selfByNode.get(node) ?? 0) + lasted);
  }
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parents = new Map<number, Node>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parents.set(child, n);
  const groupOfNode = (node: Node): ProfileGroup => {
    let n: Node | undefined = node;
    while (n !== undefined && isHelper(n.callFrame)) n = parents.get(n.id);
    return groupOf((n ?? node).callFrame);
  };

  const byFunction = new Map<
    string,
    { name: string; location: string; group: ProfileGroup; selfUs: number }
  >();
  const groups = Object.fromEntries(PROFILE_GROUPS.map((g) => [g, 0])) as Record<ProfileGroup, number>;
  let totalUs = 0;
  for (const [id, selfUs] of selfByNode) {
    const node = nodes.get(id) as Node;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") continue;
    const name = functionName === "" ? "(anonymous)" : functionName;
    const location = url === "" ? "(native)" : `${shortUrl(url)}:${lineNumber + 1}`;
    const group = groupOfNode(node);
    const key = `${name} ${location} ${group}`;
    const entry = byFunction.get(key) ?? { name, location, group, selfUs: 0 };
    entry.selfUs += selfUs;
    byFunction.set(key, entry);
    groups[group] += selfUs;
    totalUs += selfUs;
  }
  const functions = [...byFunction.values()].sort((a, b) => b.selfUs - a.selfUs);
  return { totalUs, groups, functions };
}

type Node = CpuProfile["nodes"][number];
type CallFrame = Node["callFrame"];

/** A native function or one of Node's argument checks: its time belongs to whoever called it. */
function isHelper({ functionName, url }: CallFrame): boolean {
  if (url === "") return !functionName.startsWith("(");
  return url === "node:internal/validators" || url === "node:internal/errors";
}

function groupOf({ functionName, url }: CallFrame): ProfileGroup {
  if (functionName === "(garbage collector)") return "GC";
  if (
    url === "node:internal/async_hooks" ||
    url === "node:async_hooks" ||
    url.includes("async_local_storage")
  )
    return "AsyncLocalStorage promise hooks";
  if (functionName === "now" && url.startsWith("node:internal/perf/")) return "clock reads";
  if (url.includes("/packages/eventbus/")) return "bus bookkeeping";
  if (url.endsWith("/scenarios/completion.js")) return "the handler";
  return "the rest";
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\/.*\/packages\//, "packages/").replace(/^file:\/\/.*\/node_modules\//, "");
}
