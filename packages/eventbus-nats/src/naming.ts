import { createHash } from "node:crypto";
import { compilePattern } from "@qt/eventbus";

const NAMESPACE = /^[A-Za-z0-9_-]+$/;

/**
 * The JetStream names one bus namespace uses: its event stream and subjects, its dead-letter
 * stream and subjects, and the consumer names of its subscriptions.
 *
 * @example
 * ```ts
 * const names = natsNames("qt");
 * names.stream;                           // "qt"
 * names.subjectOf("trade.executed");      // "qt.trade.executed"
 * names.deadLetterSubjectOf("trade.executed"); // "qt-dlq.trade.executed"
 * names.groupConsumer("analytics", "trade.*"); // "qt_analytics_trade_STAR_<hash>"
 * ```
 */
export interface NatsNames {
  /** The namespace, e.g. `qt`. */
  readonly namespace: string;
  /** The stream holding the events: named after the namespace. */
  readonly stream: string;
  /** The stream holding dead letters: `<namespace>-dlq`. */
  readonly deadLetterStream: string;
  /** `<namespace>.<type>`: where an event of `type` is published. */
  subjectOf(type: string): string;
  /** `<namespace>.<pattern>`: the filter subject of a subscription (patterns are NATS wildcards). */
  filterOf(pattern: string): string;
  /** The event type a subject of the stream carries (the subject without the namespace). */
  typeOf(subject: string): string;
  /** `<namespace>-dlq.<rest>`: where a dead letter of a message on `<namespace>.<rest>` goes. */
  deadLetterSubjectOf(type: string): string;
  /** The durable consumer of a group: `<namespace>_<group>_<pattern>_<hash>`, the same in every process. */
  groupConsumer(group: string, pattern: string): string;
  /** A consumer name unique to one subscription of one process. */
  ephemeralConsumer(pattern: string, unique: string): string;
}

/**
 * Builds the names of `namespace`, which must be one NATS subject token.
 *
 * @throws RangeError when `namespace` is not letters, digits, `_` or `-`.
 *
 * @example
 * ```ts
 * natsNames("qt").subjectOf("policy.updated"); // "qt.policy.updated"
 * ```
 */
export function natsNames(namespace: string): NatsNames {
  if (typeof namespace !== "string" || !NAMESPACE.test(namespace)) {
    throw new RangeError(`namespace must be letters, digits, "_" or "-", got ${JSON.stringify(namespace)}`);
  }
  const prefix = `${namespace}.`;
  const dlqPrefix = `${namespace}-dlq.`;
  return {
    namespace,
    stream: namespace,
    deadLetterStream: `${namespace}-dlq`,
    subjectOf: (type) => prefix + type,
    filterOf(pattern) {
      compilePattern(pattern);
      return prefix + pattern;
    },
    typeOf: (subject) => (subject.startsWith(prefix) ? subject.slice(prefix.length) : subject),
    deadLetterSubjectOf: (type) => dlqPrefix + type,
    groupConsumer: (group, pattern) =>
      `${namespace}_${readable(group)}_${readable(pattern)}_${shortHash(`${group}\u0000${pattern}`)}`,
    ephemeralConsumer: (pattern, unique) => `${namespace}_sub_${readable(pattern)}_${unique}`,
  };
}

/** Consumer names may not hold `.`, `*`, `>` or whitespace; the hash keeps two spellings apart. */
function readable(text: string): string {
  return text
    .replaceAll("*", "STAR")
    .replaceAll(">", "ALL")
    .replace(/[^A-Za-z0-9_-]/g, "_")
    .slice(0, 40);
}

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 8);
}
