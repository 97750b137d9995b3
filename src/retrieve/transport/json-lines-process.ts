import type { ResultPromise } from 'execa';
import { execa } from 'execa';
import { exitedWithin, readLines, within } from './child-streams.js';
import { CommandError, displayCommand } from './command-error.js';
import { assertMessage, type HelloMessage, messageProblem } from './command-messages.js';

/** How to run an external program that speaks the command protocol (docs/command-protocol.md). */
export interface CommandOptions {
  /** The program and its arguments, run without a shell: ["python3", "rerank.py", "--model", "x"]. */
  command: readonly string[];
  /** Names the program in messages and prefixes its stderr lines: the system id or the component's alias. */
  name: string;
  /** How long one request may wait for its answer once sent (ms). Default 30 000. */
  timeoutMs?: number;
  /** Requests sent and not yet answered, at most. Default 4. */
  concurrency?: number;
  /** How long close() waits for the program to exit after its stdin ends, and again after SIGTERM (ms). Default 2 000. */
  closeGraceMs?: number;
  /** Each line the program writes on stderr. Default: copied to our stderr as "[name] line". */
  onStderrLine?: (line: string) => void;
  /** Working directory of the program. Default: ours. */
  cwd?: string;
  /** How long the components' start() waits for the optional hello line (ms). Default 1 000. */
  helloTimeoutMs?: number;
}

/** What the messages call the program: "command index 'bm25-es'". */
export interface ProcessOptions extends CommandOptions {
  role: 'index' | 'reranker' | 'router';
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_CONCURRENCY = 4;
const DEFAULT_CLOSE_GRACE_MS = 2_000;
export const DEFAULT_HELLO_TIMEOUT_MS = 1_000;
/** No shell; our pipes, read as they come (no buffering); an exit is an event, not a thrown error. */
const SPAWN_OPTIONS = {
  stdin: 'pipe',
  stdout: 'pipe',
  stderr: 'pipe',
  buffer: false,
  reject: false,
  cwd: undefined as string | undefined,
} as const;
/** Stderr lines kept for error messages. */
const STDERR_TAIL = 20;

interface Pending {
  type: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
  parse(response: Record<string, unknown>): unknown;
  timer: NodeJS.Timeout;
}

/**
 * One long-running program spoken to in JSON lines: requests on its stdin, answers on its stdout, matched by
 * id, with a bounded number in flight and a timeout per request. Anything that breaks the protocol (exit,
 * a line that is not JSON or not a valid answer, an unknown id, a wrong count, a timeout) ends the program
 * and fails every request, now and later, with the same CommandError: nothing waits forever. An answer
 * `{"id": n, "error": "..."}` fails only request n.
 */
export class JsonLinesProcess {
  readonly command: readonly string[];
  readonly name: string;
  private readonly label: string;
  private readonly timeoutMs: number;
  private readonly concurrency: number;
  private readonly closeGraceMs: number;
  private readonly onStderrLine: (line: string) => void;
  private readonly subprocess: ResultPromise<typeof SPAWN_OPTIONS>;
  private readonly exited: Promise<void>;
  private readonly stderrTail: string[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly waiting: { send(): void; reject(error: Error): void }[] = [];
  private nextId = 1;
  private linesSeen = 0;
  private helloMessage: HelloMessage | undefined;
  private firstLine: Promise<void>;
  private markFirstLine: () => void = () => {};
  private failure: CommandError | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(options: ProcessOptions) {
    const [file, ...args] = options.command;
    if (file === undefined || file === '')
      throw new RangeError(`${options.role} '${options.name}': empty command`);
    this.command = [...options.command];
    this.name = options.name;
    this.label = `command ${options.role} '${options.name}'`;
    this.timeoutMs = positive(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs');
    this.concurrency = Math.floor(positive(options.concurrency ?? DEFAULT_CONCURRENCY, 'concurrency'));
    this.closeGraceMs = positive(options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS, 'closeGraceMs');
    this.onStderrLine =
      options.onStderrLine ?? ((line) => process.stderr.write(`[${options.name}] ${line}\n`));
    this.firstLine = new Promise((resolve) => {
      this.markFirstLine = resolve;
    });

    this.subprocess = execa(file, args, { ...SPAWN_OPTIONS, cwd: options.cwd });
    this.subprocess.stdin.on('error', () => {
      // EPIPE when the program has gone: its exit is reported with a better message.
    });
    readLines(this.subprocess.stdout, (line) => this.onStdoutLine(line));
    readLines(this.subprocess.stderr, (line) => this.onStderr(line));
    this.exited = this.subprocess.then((result) => {
      const reason =
        result.failed && result.exitCode === undefined && !result.signal
          ? `could not start: ${result.originalMessage || result.shortMessage}`
          : result.signal
            ? `was killed by ${result.signal}`
            : `exited with code ${result.exitCode ?? 0}`;
      if (this.closed) this.rejectAll(this.closedError('was closed before answering'));
      else this.fail(`${reason}${this.waitingNote()}`);
      this.markFirstLine();
    });
  }

  /** The program's hello line, once it has sent one. */
  get hello(): HelloMessage | undefined {
    return this.helloMessage;
  }

  /** "<hello name>@<version>", or the program and its arguments when it sent no hello (yet). */
  get identity(): string {
    const hello = this.helloMessage;
    if (!hello) return displayCommand(this.command);
    return hello.version ? `${hello.name}@${hello.version}` : hello.name;
  }

  /** The operating system's process id (undefined when it could not start). */
  get pid(): number | undefined {
    return this.subprocess.pid;
  }

  /**
   * Waits for the program's first line, at most `ms` (default 1 s): returns its hello if it sent one.
   * Throws the CommandError when the program could not start or failed meanwhile.
   */
  async waitForHello(ms = DEFAULT_HELLO_TIMEOUT_MS): Promise<HelloMessage | undefined> {
    await within(this.firstLine, ms);
    if (this.failure) {
      await this.close();
      throw this.failure;
    }
    return this.helloMessage;
  }

  /**
   * Sends `{"id", "type", ...payload}` as soon as fewer than `concurrency` requests are in flight, and
   * resolves with `parse(answer)`. `parse` throws to say the answer breaks the protocol (wrong count...).
   */
  request<T>(
    type: string,
    payload: Record<string, unknown>,
    parse: (response: Record<string, unknown>) => T,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const unusable = this.unusableError();
      if (unusable) {
        reject(unusable);
        return;
      }
      const send = () =>
        this.send(type, payload, { type, resolve: resolve as (v: unknown) => void, reject, parse });
      if (this.pending.size < this.concurrency) send();
      else this.waiting.push({ send, reject });
    });
  }

  /** Ends the program's stdin and waits for it to exit: SIGTERM after the grace period, SIGKILL after another. */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.rejectAll(this.failure ?? this.closedError('was closed before answering'));
    this.subprocess.stdin.end();
    const steps: (NodeJS.Signals | undefined)[] = [undefined, 'SIGTERM', 'SIGKILL'];
    for (const signal of steps) {
      if (signal && this.isRunning()) this.subprocess.kill(signal);
      if (await exitedWithin(this.subprocess, this.closeGraceMs)) break;
    }
    // A grandchild may still hold the pipes open: stop reading them rather than wait for it.
    this.subprocess.stdout.destroy();
    this.subprocess.stderr.destroy();
    await within(this.exited, this.closeGraceMs);
  }

  private isRunning(): boolean {
    return this.subprocess.exitCode === null && this.subprocess.signalCode === null;
  }

  private send(type: string, payload: Record<string, unknown>, entry: Omit<Pending, 'timer'>): void {
    const id = this.nextId++;
    const timer = setTimeout(
      () => this.fail(`did not answer request ${id} (${type}) within ${this.timeoutMs} ms`),
      this.timeoutMs,
    );
    this.pending.set(id, { ...entry, timer });
    this.subprocess.stdin.write(`${JSON.stringify({ id, type, ...payload })}\n`, () => {
      // Write errors surface as the program's exit.
    });
  }

  private unusableError(): CommandError | undefined {
    return this.failure ?? (this.closed ? this.closedError('is closed') : undefined);
  }

  private closedError(reason: string): CommandError {
    return new CommandError(this.label, this.command, reason, []);
  }

  /** Removes a request from those in flight (and stops its timer); wakeNext() then gives its slot away. */
  private take(id: number): Pending | undefined {
    const entry = this.pending.get(id);
    if (entry) {
      clearTimeout(entry.timer);
      this.pending.delete(id);
    }
    return entry;
  }

  /** Sends the oldest waiting request into a freed slot (none wait once failed or closed). */
  private wakeNext(): void {
    if (this.pending.size < this.concurrency) this.waiting.shift()?.send();
  }

  private onStdoutLine(line: string): void {
    // Once failed or closing, requests are settled already: later lines can only be late answers.
    if (line.trim() === '' || this.failure || this.closed) return;
    const first = this.linesSeen++ === 0;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      this.fail(
        `wrote a line that is not JSON (stdout is for protocol messages only; write logs to stderr): ${excerpt(line)}`,
      );
      return;
    }
    if (isObject(message) && message.type === 'hello') {
      this.onHello(message, first, line);
      return;
    }
    this.markFirstLine();
    const problem = messageProblem('response', message);
    if (problem !== undefined || !isObject(message)) {
      this.fail(`wrote an invalid message (${problem ?? 'not an object'}): ${excerpt(line)}`);
      return;
    }
    const id = message.id as number;
    if (!this.pending.has(id)) {
      const inFlight = [...this.pending.keys()];
      this.fail(
        `answered id ${id}, which is not a request in flight (${inFlight.length > 0 ? `in flight: ${inFlight.join(', ')}` : 'none is in flight'})`,
      );
      return;
    }
    const entry = this.take(id) as Pending;
    if (typeof message.error === 'string') {
      const reason = `answered request ${id} (${entry.type}) with an error: ${message.error}`;
      entry.reject(new CommandError(this.label, this.command, reason, [...this.stderrTail]));
      this.wakeNext();
      return;
    }
    let value: unknown;
    try {
      value = entry.parse(message);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      entry.reject(this.fail(`answered request ${id} (${entry.type}) wrongly: ${reason}`));
      return;
    }
    entry.resolve(value);
    this.wakeNext();
  }

  private onHello(message: Record<string, unknown>, first: boolean, line: string): void {
    if (!first) {
      this.fail(`sent a hello after its first line: ${excerpt(line)}`);
      return;
    }
    try {
      assertMessage('hello', message);
    } catch (error) {
      this.fail(`sent an invalid hello (${(error as Error).message}): ${excerpt(line)}`);
      return;
    }
    this.helloMessage = message;
    this.markFirstLine();
  }

  private onStderr(line: string): void {
    this.stderrTail.push(line);
    if (this.stderrTail.length > STDERR_TAIL) this.stderrTail.shift();
    this.onStderrLine(line);
  }

  /** Fails every request, now and later, and stops the program. Returns the error. */
  private fail(reason: string): CommandError {
    if (!this.failure) {
      this.failure = new CommandError(this.label, this.command, reason, [...this.stderrTail]);
      this.rejectAll(this.failure);
      if (this.isRunning()) this.subprocess.kill('SIGKILL');
      this.markFirstLine();
    }
    return this.failure;
  }

  private rejectAll(error: CommandError): void {
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
    for (const id of [...this.pending.keys()]) this.take(id)?.reject(error);
  }

  private waitingNote(): string {
    const ids = [...this.pending.keys()];
    if (ids.length === 0) return '';
    return ` while request${ids.length === 1 ? '' : 's'} ${ids.join(', ')} waited for an answer`;
  }
}

function positive(value: number, field: string): number {
  if (!(Number.isFinite(value) && value > 0))
    throw new RangeError(`${field} must be a positive number, got ${value}`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function excerpt(line: string): string {
  return JSON.stringify(line.length > 200 ? `${line.slice(0, 200)}…` : line);
}
