import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { decodeDeadLetter, type NatsDeadLetter } from "../dead-letter.js";

/**
 * Reads up to `limit` dead letters, oldest first, through an ordered consumer (no state is left
 * on the server). Entries this package did not write are skipped.
 *
 * @example
 * ```ts
 * const letters = await readDeadLetterStream(js, jsm, "qt-dlq", 100);
 * ```
 */
export async function readDeadLetterStream(
  js: JetStreamClient,
  jsm: JetStreamManager,
  stream: string,
  limit: number,
): Promise<NatsDeadLetter[]> {
  const info = await jsm.streams.info(stream);
  const wanted = Math.min(limit, info.state.messages);
  if (wanted <= 0) return [];
  const consumer = await js.consumers.get(stream, { deliver_policy: "all" });
  const letters: NatsDeadLetter[] = [];
  let seen = 0;
  while (seen < wanted) {
    const batch = await consumer.fetch({ max_messages: wanted - seen, expires: 2_000 });
    let got = 0;
    for await (const message of batch) {
      got++;
      seen++;
      try {
        letters.push(decodeDeadLetter(message.data));
      } catch {
        // not ours (someone published to <namespace>-dlq by hand): skip it
      }
    }
    if (got === 0) break;
  }
  return letters;
}
