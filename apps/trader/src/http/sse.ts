import type { IncomingMessage, ServerResponse } from "node:http";
import { type CompiledPattern, compilePattern, EventBusError, type EventEnvelope } from "@qt/eventbus";

/** A client's buffered bytes above which it is too slow to follow: it is disconnected. */
const DEFAULT_MAX_BUFFERED = 1024 * 1024;

/**
 * The type filter of an `/events?type=` query: a comma-separated list of event types or bus
 * patterns (`trade.executed`, `trade.*`, `health.>`); empty means every event.
 *
 * @throws {@link "@qt/eventbus"!EventBusError} `INVALID_PATTERN` naming the bad pattern.
 *
 * @example
 * ```ts
 * const matches = parseTypeFilter("trade.executed,policy.*");
 * matches("policy.updated"); // true
 * ```
 */
export function parseTypeFilter(text: string | null | undefined): (type: string) => boolean {
  const patterns = (text ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (patterns.length === 0) return () => true;
  const compiled: CompiledPattern[] = patterns.map((pattern) => compilePattern(pattern));
  return (type) => compiled.some((pattern) => pattern.matches(type));
}

/** One `text/event-stream` frame. */
export function sseFrame(data: unknown, options: { event?: string; id?: string } = {}): string {
  let frame = "";
  if (options.id !== undefined) frame += `id: ${options.id}\n`;
  if (options.event !== undefined) frame += `event: ${options.event}\n`;
  for (const line of JSON.stringify(data).split("\n")) frame += `data: ${line}\n`;
  return `${frame}\n`;
}

interface Client {
  readonly response: ServerResponse;
  readonly matches: (type: string) => boolean;
  readonly status: boolean;
}

/** Options of {@link SseHub}. */
export interface SseHubOptions {
  /** Every `heartbeatMs` a comment line keeps proxies from closing idle streams. Default 15 s. */
  readonly heartbeatMs?: number;
  /** Default 1 MiB. */
  readonly maxBufferedBytes?: number;
  /** The snapshot sent as `event: status` to clients that ask (`?status=1`), every `statusIntervalMs`. */
  readonly status?: () => unknown;
  /** Default 500 ms. */
  readonly statusIntervalMs?: number;
}

/**
 * Live events as Server-Sent Events. The hub is fed every bus event (one `>` subscription, made by
 * the app) and writes it to each client whose `?type=` filter matches, as a default `message`
 * frame with the event id as `id`. Clients asking `?status=1` also get `event: status` frames.
 * A client that stops reading is disconnected rather than buffered without bound.
 *
 * @example
 * ```ts
 * const hub = new SseHub({ status: () => session.snapshot() });
 * bus.subscribe(">", (event) => hub.publish(event));
 * // in the request handler: hub.handle(request, response, url);
 * ```
 */
export class SseHub {
  readonly #clients = new Set<Client>();
  readonly #options: SseHubOptions;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #statusTimer: ReturnType<typeof setInterval> | undefined;
  #sent = 0;
  #dropped = 0;
  #closed = false;

  constructor(options: SseHubOptions = {}) {
    this.#options = options;
  }

  /** Clients connected. */
  get clients(): number {
    return this.#clients.size;
  }

  /** Frames written, and clients dropped for not keeping up. */
  get stats(): { clients: number; sent: number; dropped: number } {
    return { clients: this.#clients.size, sent: this.#sent, dropped: this.#dropped };
  }

  /**
   * Serves one `/events` request. Responds 400 (naming the bad pattern) to an invalid filter,
   * 503 once the hub is closed.
   */
  handle(request: IncomingMessage, response: ServerResponse, url: URL): void {
    if (this.#closed) {
      response.writeHead(503, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: "shutting down" }));
      return;
    }
    let matches: (type: string) => boolean;
    try {
      matches = parseTypeFilter(url.searchParams.get("type"));
    } catch (error) {
      response.writeHead(400, { "content-type": "application/json" });
      const message = EventBusError.isInstance(error) ? error.message : "invalid type filter";
      response.end(JSON.stringify({ error: message }));
      return;
    }
    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    response.write("retry: 2000\n: connected\n\n");
    const client: Client = {
      response,
      matches,
      status: ["1", "true"].includes(url.searchParams.get("status") ?? ""),
    };
    this.#clients.add(client);
    const forget = () => this.#clients.delete(client);
    request.on("close", forget);
    response.on("close", forget);
    response.on("error", forget);
    if (client.status) this.#sendStatus(client);
    this.#ensureTimers();
  }

  /** Sends an event to every client whose filter matches its type. */
  publish(event: EventEnvelope): void {
    if (this.#clients.size === 0) return;
    let frame: string | undefined;
    for (const client of this.#clients) {
      if (!client.matches(event.type)) continue;
      frame ??= sseFrame(event, { id: event.id });
      this.#write(client, frame);
    }
  }

  /** Ends every stream; new requests get 503. */
  close(): void {
    this.#closed = true;
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    if (this.#statusTimer !== undefined) clearInterval(this.#statusTimer);
    for (const client of this.#clients) client.response.end();
    this.#clients.clear();
  }

  #write(client: Client, frame: string): void {
    const limit = this.#options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED;
    if (client.response.writableLength > limit) {
      this.#dropped++;
      this.#clients.delete(client);
      client.response.destroy();
      return;
    }
    client.response.write(frame);
    this.#sent++;
  }

  #sendStatus(client: Client): void {
    const status = this.#options.status?.();
    if (status !== undefined) this.#write(client, sseFrame(status, { event: "status" }));
  }

  #ensureTimers(): void {
    if (this.#heartbeat === undefined) {
      this.#heartbeat = setInterval(() => {
        for (const client of this.#clients) client.response.write(": ping\n\n");
      }, this.#options.heartbeatMs ?? 15_000);
      this.#heartbeat.unref();
    }
    if (this.#statusTimer === undefined && this.#options.status !== undefined) {
      this.#statusTimer = setInterval(() => {
        for (const client of this.#clients) if (client.status) this.#sendStatus(client);
      }, this.#options.statusIntervalMs ?? 500);
      this.#statusTimer.unref();
    }
  }
}
