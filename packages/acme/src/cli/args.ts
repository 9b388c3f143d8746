/**
 * The options of `lucid-tls acme …`: `--name VALUE` (or `--name=VALUE`), flags, and
 * options that take several words (`--domain a.example b.example`, or `--domain` repeated).
 * @module
 */
import { isIP } from 'node:net';
import type { ListenAddress } from '../challenges/listener.js';

/** A mistake in how the command was called: exit status 2, with the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** What a command accepts. */
export interface OptionSpec {
  valued: readonly string[];
  flags: readonly string[];
  /** Valued options that take every following word up to the next option. */
  multi?: readonly string[];
}

/** The options given. */
export interface Options {
  values: Map<string, string[]>;
  flags: Set<string>;
}

/** Parses `args`; anything not in `spec` is a {@link UsageError}. */
export function parseOptions(args: readonly string[], spec: OptionSpec): Options {
  const options: Options = { values: new Map(), flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${arg}`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (spec.flags.includes(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      options.flags.add(name);
      continue;
    }
    if (!spec.valued.includes(name)) throw new UsageError(`unknown option --${name}`);
    const list = options.values.get(name) ?? [];
    if (inline !== undefined) list.push(inline);
    else {
      if (i + 1 >= args.length) throw new UsageError(`--${name} needs a value`);
      list.push(args[++i]!);
      if (spec.multi?.includes(name)) while (i + 1 < args.length && !args[i + 1]!.startsWith('--')) list.push(args[++i]!);
    }
    options.values.set(name, list);
  }
  return options;
}

/** The one value of an option, or undefined; given twice is a mistake. */
export function single(options: Options, name: string): string | undefined {
  const list = options.values.get(name);
  if (list && list.length > 1) throw new UsageError(`--${name} given more than once`);
  return list?.[0];
}

/** A whole number option in a range. */
export function wholeNumber(text: string | undefined, name: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`--${name} wants a whole number from ${min} to ${max}, not ${text}`);
  return n;
}

/** `PORT`, `:PORT`, `HOST:PORT` or `[IPv6]:PORT`. */
export function parseListen(text: string, name: string): ListenAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d+)$/.exec(text) ?? /^()()(\d+)$/.exec(text);
  if (!match) throw new UsageError(`--${name} wants [HOST:]PORT, not ${text}`);
  const host = match[1] || match[2] || undefined;
  if (match[1] && isIP(match[1]) !== 6) throw new UsageError(`--${name}: ${match[1]} is not an IPv6 address`);
  const port = wholeNumber(match[3], name, 0, 65535)!;
  return host === undefined ? { port } : { host, port };
}
