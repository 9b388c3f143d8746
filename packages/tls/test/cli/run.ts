/**
 * Running the built `lucid-tls` command in tests: to its end with a deadline, or as a
 * server that is waited for (its `listening on` line) and stopped at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '../../bin/lucid-tls.js');

/** What a finished command wrote, and how it ended. */
export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** A running `lucid-tls` process. */
export class Command {
  readonly child: ChildProcess;
  readonly done: Promise<Result>;
  stderr = '';
  private readonly stdoutChunks: Buffer[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin!.on('error', () => {});
    this.child.stdout!.on('data', (chunk: Buffer) => this.stdoutChunks.push(chunk));
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
      for (const waiter of [...this.waiters]) waiter();
    });
    this.done = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        for (const waiter of [...this.waiters]) waiter();
        resolve({ code, signal, stdout: Buffer.concat(this.stdoutChunks), stderr: this.stderr });
      });
    });
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Waits for `pattern` on standard error; rejects if the process exits first or after `ms`. */
  waitForStderr(pattern: RegExp, ms = 5000): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(this.stderr);
        if (m) finish(() => resolve(m));
        else if (this.exited) finish(() => reject(new Error(`exited before ${pattern}:\n${this.stderr}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for ${pattern}:\n${this.stderr}`))), ms);
      const finish = (then: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        then();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Waits for the end; kills the process and rejects after `ms`. */
  async wait(ms = 10_000): Promise<Result> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new Error(`still running after ${ms} ms:\n${this.stderr}`));
      }, ms);
    });
    try {
      return await Promise.race([this.done, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.exited) this.child.kill(signal);
  }
}

/** Every command started, to kill whatever a test leaves running. */
const running = new Set<Command>();

/** Starts `lucid-tls ARGS`. */
export function start(args: readonly string[]): Command {
  const command = new Command(args);
  running.add(command);
  void command.done.then(() => running.delete(command));
  return command;
}

/** Runs `lucid-tls ARGS` with `input` on standard input, to its end (at most `ms`). */
export function run(args: readonly string[], input: string | Uint8Array = '', ms = 10_000): Promise<Result> {
  const command = start(args);
  command.child.stdin!.end(input);
  return command.wait(ms);
}

/** `lucid-tls server --accept 127.0.0.1:0 ARGS`, once it listens; with its port. */
export async function startServer(args: readonly string[]): Promise<{ command: Command; port: number }> {
  const command = start(['server', '--accept', '127.0.0.1:0', ...args]);
  const m = await command.waitForStderr(/^listening on 127\.0\.0\.1:(\d+)$/m);
  return { command, port: Number(m[1]) };
}

/** Kills every command still running. */
export async function killAll(): Promise<void> {
  const left = [...running];
  for (const command of left) command.kill();
  await Promise.all(left.map((c) => c.done));
}

/** The `key=value` tokens of a summary line; `peer` and `client_cert` take the rest of the line. */
export function tokens(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  let rest = line.trim();
  for (let m = /^(\w+)=/.exec(rest); m; m = /^(\w+)=/.exec(rest)) {
    rest = rest.slice(m[0].length);
    const end = m[1] === 'peer' || m[1] === 'client_cert' || !rest.includes(' ') ? rest.length : rest.indexOf(' ');
    out[m[1]!] = rest.slice(0, end);
    rest = rest.slice(end).trimStart();
  }
  return out;
}
