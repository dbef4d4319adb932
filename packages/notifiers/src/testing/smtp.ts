// Test support (not built): a real SMTP server (smtp-server) on 127.0.0.1 that records what it
// receives, and a TCP server that accepts connections and never says a word.
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { SMTPServer, type SMTPServerAddress } from "smtp-server";

export interface ReceivedMail {
  readonly from: string;
  readonly to: string[];
  readonly user: string | undefined;
  /** The message as sent: RFC 5322 headers and MIME body. */
  readonly raw: string;
}

/** What to answer a message with: accept (undefined) or an SMTP error. */
export type DataReply = undefined | { readonly code: number; readonly message: string };

export interface FakeSmtp {
  readonly port: number;
  readonly mails: ReceivedMail[];
  /** Every DATA attempt, accepted or refused. */
  readonly attempts: number;
  waitForMails(count: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export async function startSmtpServer(options: {
  user: string;
  pass: string;
  /** Called for each message; answer with an error to refuse it. */
  onMessage?: (attempt: number) => DataReply;
  /** Message of a refused login (to check it is redacted when it echoes the password). */
  authFailure?: string;
}): Promise<FakeSmtp> {
  const mails: ReceivedMail[] = [];
  let attempts = 0;
  let waiters: { count: number; resolve: () => void }[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authOptional: false,
    logger: false,
    disableReverseLookup: true,
    onAuth(auth, _session, callback) {
      if (auth.username === options.user && auth.password === options.pass) {
        callback(null, { user: auth.username });
      } else {
        const error = Object.assign(new Error(options.authFailure ?? "Invalid username or password"), {
          responseCode: 535,
        });
        callback(error);
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        attempts++;
        const reply = options.onMessage?.(attempts);
        if (reply !== undefined) {
          callback(Object.assign(new Error(reply.message), { responseCode: reply.code }));
          return;
        }
        const address = (a: SMTPServerAddress | false) => (a === false ? "" : a.address);
        mails.push({
          from: address(session.envelope.mailFrom),
          to: session.envelope.rcptTo.map(address),
          user: typeof session.user === "string" ? session.user : undefined,
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        const ready = waiters.filter((w) => mails.length >= w.count);
        waiters = waiters.filter((w) => mails.length < w.count);
        callback();
        for (const w of ready) w.resolve();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    get attempts() {
      return attempts;
    },
    waitForMails(count) {
      if (mails.length >= count) return Promise.resolve(mails);
      return new Promise((resolve) => waiters.push({ count, resolve: () => resolve(mails) }));
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface SilentServer {
  readonly port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/** Accepts TCP connections and never answers: an SMTP server that hangs before its greeting. */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    get connections() {
      return connections;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
