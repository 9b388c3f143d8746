/**
 * Running the programs the interop suites drive — `lucid-tls`, `openssl`, `gnutls-cli`,
 * `gnutls-serv` — as child processes: every wait has a deadline, every process is
 * tracked and killed by `killAll()`, and servers listen on ports the OS picked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `lucid-tls` command (the built one: `pnpm test` builds first). */
export const LUCID_BIN = join(dirname(fileURLToPath(import.meta.url)), '../../packages/tls/bin/lucid-tls.js');

/** How a process ended, and everything it wrote. */
export interface Output {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** Options of {@link Processes.start}. */
export interface StartOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** A running child process and what it has written so far. */
export class Child {
  readonly process: ChildProcess;
  readonly exited: Promise<Output>;
  private readonly stdoutChunks: Buffer[] = [];
  private stdoutLength = 0;
  private stderrText = '';
  private readonly listeners = new Set<() => void>();
  private done = false;

  constructor(readonly name: string, command: string, args: readonly string[], options: StartOptions = {}) {
    this.process = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stdin!.on('error', () => {}); // a peer that exits early closes its stdin: not our error
    this.process.stdout!.on('data', (chunk: Buffer) => {
      this.stdoutChunks.push(chunk);
      this.stdoutLength += chunk.length;
      this.notify();
    });
    this.process.stderr!.on('data', (chunk: Buffer) => {
      this.stderrText += chunk.toString('utf8');
      this.notify();
    });
    this.exited = new Promise<Output>((resolve) => {
      let spawnError: Error | undefined;
      this.process.once('error', (error) => (spawnError = error));
      this.process.once('close', (code, signal) => {
        this.done = true;
        if (spawnError) this.stderrText += `\n[spawn error: ${spawnError.message}]`;
        this.notify();
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderrText });
      });
    });
  }

  /** Everything written to standard output so far. */
  get stdout(): Buffer {
    if (this.stdoutChunks.length > 1) this.stdoutChunks.splice(0, this.stdoutChunks.length, Buffer.concat(this.stdoutChunks));
    return this.stdoutChunks[0] ?? Buffer.alloc(0);
  }

  get stdoutBytes(): number {
    return this.stdoutLength;
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** Standard output (as text) and standard error together, for matching and for messages. */
  get text(): string {
    return `${this.stdout.toString('latin1')}\n${this.stderrText}`;
  }

  get running(): boolean {
    return !this.done;
  }

  /**
   * Waits until `test` returns something (it is called whenever the process writes), and
   * returns that; rejects when the process exits first or after `ms`.
   */
  until<T>(what: string, test: () => T | undefined | null | false, ms = 10_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const result = test();
        if (result) {
          finish();
          resolve(result);
        } else if (this.done) {
          finish();
          reject(new Error(`${this.name} exited before ${what}:\n${this.text.slice(-4000)}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${this.name}: timed out after ${ms} ms waiting for ${what}:\n${this.text.slice(-4000)}`));
      }, ms);
      const finish = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Waits for `pattern` in standard output (as latin1 text), standard error, or either. */
  waitFor(pattern: RegExp, ms = 10_000, stream: 'stdout' | 'stderr' | 'either' = 'either'): Promise<RegExpExecArray> {
    return this.until(String(pattern), () => {
      if (stream !== 'stderr') {
        const m = pattern.exec(this.stdout.toString('latin1'));
        if (m) return m;
      }
      return stream !== 'stdout' ? pattern.exec(this.stderrText) : null;
    }, ms);
  }

  /** Waits until standard output, from byte `from` on, contains `text`. */
  waitForOutput(text: string, from = 0, ms = 10_000): Promise<true> {
    return this.until(JSON.stringify(text), () => this.stdout.includes(text, from), ms);
  }

  write(data: string | Uint8Array): void {
    if (this.process.stdin!.writable) this.process.stdin!.write(data);
  }

  end(data?: string | Uint8Array): void {
    if (this.process.stdin!.writable) this.process.stdin!.end(data);
  }

  /** Waits for the process to exit; kills it and rejects after `ms`. */
  async wait(ms = 15_000): Promise<Output> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.kill();
        reject(new Error(`${this.name}: still running after ${ms} ms, killed:\n${this.text.slice(-4000)}`));
      }, ms);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a signal (SIGTERM by default); the process's `exited` resolves when it is gone. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.done) this.process.kill(signal);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Tracks the children a test file starts, to kill whatever is left. */
export class Processes {
  private readonly children = new Set<Child>();

  start(name: string, command: string, args: readonly string[], options?: StartOptions): Child {
    const child = new Child(name, command, args, options);
    this.children.add(child);
    void child.exited.then(() => this.children.delete(child));
    return child;
  }

  /** Starts `lucid-tls ARGS`. */
  lucid(args: readonly string[], options?: StartOptions): Child {
    return this.start(`lucid-tls ${args[0]}`, process.execPath, [LUCID_BIN, ...args], options);
  }

  /**
   * Runs a command to its end: writes `input` to its standard input and closes it (unless
   * `keepStdinOpen`), and waits at most `ms`.
   */
  async run(name: string, command: string, args: readonly string[], options: StartOptions & { input?: string | Uint8Array; ms?: number } = {}): Promise<Output> {
    const child = this.start(name, command, args, options);
    child.end(options.input);
    return child.wait(options.ms);
  }

  /** Runs `lucid-tls ARGS` to its end (standard input: `input`, then closed). */
  runLucid(args: readonly string[], options: StartOptions & { input?: string | Uint8Array; ms?: number } = {}): Promise<Output> {
    return this.run(`lucid-tls ${args[0]}`, process.execPath, [LUCID_BIN, ...args], options);
  }

  /** Kills every child still running, except those in `keep`, and waits for them. */
  async killAll(keep: Iterable<Child> = []): Promise<void> {
    const kept = new Set(keep);
    const left = [...this.children].filter((c) => !kept.has(c));
    for (const child of left) child.kill();
    await Promise.all(left.map((c) => c.exited));
  }
}

/**
 * The lucid side of these suites computes with the default provider, the native one
 * (OpenSSL through node:crypto). Each file also runs its representative cases with
 * `--crypto noble`: every cipher suite, one group of each family (below), a
 * HelloRetryRequest, each kind of certificate and a resumption. The slow cases (megabytes,
 * KeyUpdate, client certificates, alerts) run on the default only.
 */
export const NOBLE_GROUPS = [
  { group: 'x25519', openssl: 'X25519', gnutls: 'X25519', tempKey: 'X25519' },
  { group: 'secp256r1', openssl: 'P-256', gnutls: 'SECP256R1', tempKey: 'ECDH, prime256v1' },
  { group: 'x448', openssl: 'X448', gnutls: 'X448', tempKey: 'X448' },
  { group: 'secp384r1', openssl: 'P-384', gnutls: 'SECP384R1', tempKey: 'ECDH, secp384r1' },
  { group: 'ffdhe2048', openssl: 'ffdhe2048', gnutls: 'FFDHE2048', tempKey: 'DH, 2048 bits' },
] as const;

/** A running server and its port. */
export interface RunningServer {
  child: Child;
  port: number;
}

/** `lucid-tls server --accept 127.0.0.1:0 ARGS`, once it has printed the port it listens on. */
export async function startLucidServer(processes: Processes, args: readonly string[], options?: StartOptions): Promise<RunningServer> {
  const child = processes.lucid(['server', '--accept', '127.0.0.1:0', ...args], options);
  const match = await child.waitFor(/^listening on 127\.0\.0\.1:(\d+)$/m, 10_000, 'stderr');
  return { child, port: Number(match[1]) };
}

/**
 * `openssl s_server -accept 127.0.0.1:0 ARGS`, once it has printed `ACCEPT` with its port.
 * Its standard input stays open: s_server stops when it reaches its end.
 */
export async function startOpensslServer(processes: Processes, args: readonly string[], options?: StartOptions): Promise<RunningServer> {
  const child = processes.start('openssl s_server', 'openssl', ['s_server', '-accept', '127.0.0.1:0', ...args], options);
  const match = await child.waitFor(/^ACCEPT 127\.0\.0\.1:(\d+)$/m, 10_000, 'stdout');
  return { child, port: Number(match[1]) };
}

/** A port the OS says is free now (another process may take it before we do: callers retry). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(500);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/**
 * `gnutls-serv -p PORT ARGS` on a free port. gnutls-serv cannot be told to pick a port,
 * nor says when it is ready: the port is polled, and a start that lost the port to
 * someone else (the server exits) is retried on another.
 */
export async function startGnutlsServer(processes: Processes, args: readonly string[], options?: StartOptions): Promise<RunningServer> {
  let lastError = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child = processes.start('gnutls-serv', 'gnutls-serv', ['-p', String(port), ...args], options);
    // It prints "...listening on IPv4 0.0.0.0 port N...done" once bound; then poll the port.
    const deadline = Date.now() + 10_000;
    while (child.running && Date.now() < deadline) {
      if (/listening on IPv4[^\n]*done/.test(child.text) && (await accepts(port))) return { child, port };
      await new Promise((r) => setTimeout(r, 50));
    }
    lastError = child.text;
    child.kill();
    await child.exited;
  }
  throw new Error(`gnutls-serv did not start:\n${lastError}`);
}

/**
 * The `key=value` tokens of a summary line (`protocol=TLSv1.3 cipher=… peer=CN=x, O=y`);
 * `peer` and `client_cert`, a certificate subject that may hold spaces, take the rest of the line.
 */
export function summaryOf(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  let rest = line.trim();
  while (rest.length > 0) {
    const m = /^(\w+)=/.exec(rest);
    if (!m) break;
    const key = m[1]!;
    rest = rest.slice(m[0].length);
    const end = key === 'peer' || key === 'client_cert' ? rest.length : rest.indexOf(' ') < 0 ? rest.length : rest.indexOf(' ');
    out[key] = rest.slice(0, end);
    rest = rest.slice(end).trimStart();
  }
  return out;
}

/** The client's summary line from its standard error (the line starting `protocol=`). */
export function clientSummary(stderr: string): Record<string, string> {
  const line = stderr.split('\n').find((l) => l.startsWith('protocol='));
  if (!line) throw new Error(`no summary line in:\n${stderr}`);
  return summaryOf(line);
}

/** Deterministic test data of `size` bytes (lines of text, so peers that print it keep it intact). */
export function testData(size: number, seed = 'lucid'): Buffer {
  const line = (i: number) => `${seed} ${String(i).padStart(8, '0')} the quick brown fox jumps over the lazy dog\n`;
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const l = line(i);
    parts.push(l);
    length += l.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}
