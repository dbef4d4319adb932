// Test support (not built): a local stand-in for Discord's HTTP API on 127.0.0.1 that records
// every request and answers each as the test says.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface RecordedRequest {
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
  /** performance.now() when the request arrived. */
  readonly at: number;
}

/** An HTTP answer, `"destroy"` (drop the connection) or `"hang"` (never answer). */
export type Reply =
  | { readonly status: number; readonly body?: unknown; readonly headers?: Record<string, string> }
  | "destroy"
  | "hang";

export type Responder = (request: RecordedRequest, index: number) => Reply;

export interface FakeDiscord {
  /** `http://127.0.0.1:<port>/api`: the `api` option. */
  readonly api: string;
  readonly requests: RecordedRequest[];
  /** Resolves once `count` requests have arrived. */
  waitForRequests(count: number): Promise<RecordedRequest[]>;
  respond(responder: Responder): void;
  close(): Promise<void>;
}

/** Answers as Discord does for `?wait=true` and for a bot's message: the created message. */
export const ok: Responder = (request) => ({
  status: 200,
  body: {
    id: "1100000000000000001",
    channel_id: "1200000000000000002",
    type: 0,
    content: (request.body as { content?: string } | undefined)?.content ?? "",
    embeds: (request.body as { embeds?: unknown[] } | undefined)?.embeds ?? [],
    timestamp: new Date().toISOString(),
  },
});

/** Answers with each reply in turn, then with `ok`. */
export function sequence(...replies: Reply[]): Responder {
  return (request, index) => replies[index] ?? ok(request, index);
}

export async function startDiscordServer(responder: Responder = ok): Promise<FakeDiscord> {
  let respond = responder;
  const requests: RecordedRequest[] = [];
  let waiters: { count: number; resolve: () => void }[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const request: RecordedRequest = {
        method: req.method ?? "",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: text === "" ? undefined : JSON.parse(text),
        at: performance.now(),
      };
      const index = requests.push(request) - 1;
      const ready = waiters.filter((w) => requests.length >= w.count);
      waiters = waiters.filter((w) => requests.length < w.count);
      const reply = respond(request, index);
      if (reply === "destroy") {
        req.socket.destroy();
      } else if (reply === "hang") {
        hanging.add(res);
      } else {
        res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
        res.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
      }
      for (const w of ready) w.resolve();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    api: `http://127.0.0.1:${port}/api`,
    requests,
    waitForRequests(count) {
      if (requests.length >= count) return Promise.resolve(requests);
      return new Promise((resolve) => waiters.push({ count, resolve: () => resolve(requests) }));
    },
    respond(next) {
      respond = next;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      hanging.clear();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
