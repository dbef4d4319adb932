/** The part of a stream the status writes to (`process.stdout` fits). */
export interface StatusStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Options of {@link TerminalStatus}. */
export interface TerminalStatusOptions {
  readonly stream: StatusStream;
  /** `tty`: one line redrawn in place; `lines`: a line every `intervalMs`; `off`: nothing. */
  readonly mode: "tty" | "lines" | "off";
  /** The status line, computed when drawn. */
  readonly render: (options: { color: boolean }) => string;
  /** Between lines in `lines` mode. Default 5,000 ms. */
  readonly intervalMs?: number;
  /** Between redraws in `tty` mode. Default 250 ms. */
  readonly refreshMs?: number;
}

const CLEAR_LINE = "\r\x1b[2K";

/**
 * The compact live status of the terminal: redrawn in place on a TTY, printed as a periodic line
 * otherwise (logs, CI, a pipe). Every other line the process prints goes through {@link print},
 * so that on a TTY the status line is cleared first and redrawn after: logs never tear it.
 *
 * @example
 * ```ts
 * const status = new TerminalStatus({ stream: process.stdout, mode: "tty", render: () => "trades 3" });
 * status.start();
 * status.print(process.stderr, "a log line");
 * status.stop();
 * ```
 */
export class TerminalStatus {
  readonly #options: TerminalStatusOptions;
  #timer: ReturnType<typeof setInterval> | undefined;
  #drawn = false;

  constructor(options: TerminalStatusOptions) {
    this.#options = options;
  }

  get mode(): TerminalStatusOptions["mode"] {
    return this.#options.mode;
  }

  start(): void {
    if (this.#timer !== undefined || this.#options.mode === "off") return;
    if (this.#options.mode === "tty") {
      this.#draw();
      this.#timer = setInterval(() => this.#draw(), this.#options.refreshMs ?? 250);
    } else {
      this.#timer = setInterval(() => this.#line(), this.#options.intervalMs ?? 5_000);
    }
    this.#timer.unref();
  }

  /** Writes a line (a log, a notice) without tearing the status line. */
  print(stream: { write(text: string): unknown }, line: string): void {
    this.#clear();
    stream.write(`${line}\n`);
    if (this.#timer !== undefined && this.#options.mode === "tty") this.#draw();
  }

  /** Stops updating; on a TTY the last status stays on screen as an ordinary line. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    const wasRunning = this.#timer !== undefined;
    this.#timer = undefined;
    if (this.#options.mode === "tty" && wasRunning) {
      this.#draw();
      this.#options.stream.write("\n");
      this.#drawn = false;
    } else if (this.#options.mode === "lines" && wasRunning) {
      this.#line();
    }
  }

  /** A failing status line must not take the process down: it says what failed instead. */
  #render(color: boolean): string {
    try {
      return this.#options.render({ color });
    } catch (error) {
      return `status unavailable: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  #draw(): void {
    const { stream } = this.#options;
    // Some pseudo-terminals report no width (0): then do not cut at all rather than cut to nothing.
    const width = stream.columns !== undefined && stream.columns > 20 ? stream.columns - 1 : 500;
    const text = this.#render(true);
    stream.write(`${CLEAR_LINE}${truncateVisible(text, width)}`);
    this.#drawn = true;
  }

  #clear(): void {
    if (this.#drawn) {
      this.#options.stream.write(CLEAR_LINE);
      this.#drawn = false;
    }
  }

  #line(): void {
    this.#options.stream.write(`${this.#render(false)}\n`);
  }
}

/** Cuts a string to `width` visible characters, keeping ANSI color codes intact. */
export function truncateVisible(text: string, width: number): string {
  let visible = 0;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\x1b") {
      const end = text.indexOf("m", i);
      if (end !== -1) {
        out += text.slice(i, end + 1);
        i = end;
        continue;
      }
    }
    if (visible >= width) break;
    out += text[i];
    visible++;
  }
  return visible >= width ? `${out}\x1b[0m` : out;
}
