import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { SseHub } from "./sse.js";

/**
 * What the HTTP API reads. Each function is called per request; the server holds no state of its
 * own, so it can be tested with plain functions.
 *
 * @example
 * ```ts
 * const api: HttpApi = { health: () => ({ ready: true, body: {} }), ... };
 * ```
 */
export interface HttpApi {
  /** Liveness and readiness; `ready: false` answers 503. */
  health(): { ready: boolean; body: unknown };
  stats(): unknown;
  metrics(): Promise<{ contentType: string; body: string }>;
  trades(query: URLSearchParams): Promise<unknown>;
  performance(): Promise<unknown>;
  events(query: URLSearchParams): Promise<unknown>;
  /** The dashboard's state: session snapshot, bus stats. */
  status(): unknown;
  /** Equity curve points, `?since=` epoch ms. */
  equity(query: URLSearchParams): unknown;
  readonly sse: SseHub;
}

/**
 * A request the API refuses with 400, naming the bad parameter.
 *
 * @example
 * ```ts
 * throw new BadRequestError("limit", "expected an integer in [1, 1000]");
 * ```
 */
export class BadRequestError extends Error {
  override readonly name = "BadRequestError";
  readonly code = "BAD_REQUEST";
  readonly parameter: string;

  constructor(parameter: string, message: string) {
    super(`${parameter}: ${message}`);
    this.parameter = parameter;
  }
}

/**
 * The port is taken (or the address cannot be bound): a configuration problem, exit code 2.
 */
export class ListenError extends Error {
  override readonly name = "ListenError";
  readonly code: string;

  constructor(host: string, port: number, cause: NodeJS.ErrnoException) {
    super(
      cause.code === "EADDRINUSE"
        ? `port ${port} on ${host} is already in use: stop what uses it, or choose another with --port (0 picks a free one)`
        : `cannot listen on ${host}:${port} (${cause.code ?? cause.message})`,
      { cause },
    );
    this.code = cause.code ?? "LISTEN_FAILED";
  }
}

let dashboardHtml: string | undefined;

/** The dashboard page, read once from beside this module (copied to `dist/http` by the build). */
export function dashboard(): string {
  dashboardHtml ??= readFileSync(new URL("./dashboard.html", import.meta.url), "utf8");
  return dashboardHtml;
}

/** A running HTTP server. */
export interface HttpServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, ends live streams, waits for requests in flight. */
  close(): Promise<void>;
}

/**
 * Starts the HTTP API and dashboard with `node:http`.
 *
 * Routes: `GET /` (dashboard), `/health`, `/stats`, `/metrics`, `/api/trades`,
 * `/api/performance`, `/api/events`, `/api/status`, `/api/equity`, `/events` (SSE).
 *
 * @throws {@link ListenError} when the address cannot be bound.
 *
 * @example
 * ```ts
 * const server = await startHttpServer({ host: "127.0.0.1", port: 0, api });
 * console.log(`listening on ${server.url}`);
 * ```
 */
export async function startHttpServer(options: {
  host: string;
  port: number;
  api: HttpApi;
  onError?: (error: unknown, request: IncomingMessage) => void;
}): Promise<HttpServer> {
  const { api } = options;
  const server: Server = createServer((request, response) => {
    route(api, request, response).catch((error: unknown) => {
      if (error instanceof BadRequestError) {
        send(response, 400, { error: error.message, parameter: error.parameter });
        return;
      }
      options.onError?.(error, request);
      if (!response.headersSent) send(response, 500, { error: "internal error" });
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(new ListenError(options.host, options.port, error)));
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        api.sse.close();
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still running get a moment; then their sockets go too.
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      });
      return closing;
    },
  };
}

async function route(api: HttpApi, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://localhost");
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.setHeader("allow", "GET, HEAD");
    send(response, 405, { error: "method not allowed" });
    return;
  }
  switch (url.pathname) {
    case "/":
    case "/index.html":
      response.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-cache",
        "content-security-policy":
          "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
      });
      response.end(dashboard());
      return;
    case "/health": {
      const health = api.health();
      send(response, health.ready ? 200 : 503, health.body);
      return;
    }
    case "/stats":
      send(response, 200, api.stats());
      return;
    case "/metrics": {
      const metrics = await api.metrics();
      response.writeHead(200, { "content-type": metrics.contentType });
      response.end(metrics.body);
      return;
    }
    case "/api/trades":
      send(response, 200, await api.trades(url.searchParams));
      return;
    case "/api/performance":
      send(response, 200, await api.performance());
      return;
    case "/api/events":
      send(response, 200, await api.events(url.searchParams));
      return;
    case "/api/status":
      send(response, 200, api.status());
      return;
    case "/api/equity":
      send(response, 200, api.equity(url.searchParams));
      return;
    case "/events":
      api.sse.handle(request, response, url);
      return;
    default:
      send(response, 404, { error: `no route ${url.pathname}` });
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_key, value) => (typeof value === "bigint" ? value.toString() : value));
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
  });
  response.end(text);
}
