/**
 * Reading the server's JSON without trusting it: every field is checked for its type, and
 * a response that is not what RFC 8555 describes becomes an {@link AcmeError} of type
 * `lucid-tls:malformedResponse` naming the field, never a TypeError later on.
 * @module
 */
import { clientError } from './problem.js';

/** A JSON object, its fields not yet checked. */
export type JsonObject = Record<string, unknown>;

/** Parses a response body as JSON. */
export function parseJson(body: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw clientError('malformedResponse', `${what}: the body is not JSON`);
  }
}

/** `value` as an object (not an array, not null). */
export function jsonObject(value: unknown, what: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw clientError('malformedResponse', `${what} is not a JSON object`);
  return value as JsonObject;
}

/** A required string field. */
export function stringField(o: JsonObject, key: string, what: string): string {
  const value = o[key];
  if (typeof value !== 'string') throw clientError('malformedResponse', `${what}: "${key}" is missing or not a string`);
  return value;
}

/** An optional string field. */
export function optionalString(o: JsonObject, key: string, what: string): string | undefined {
  return o[key] === undefined ? undefined : stringField(o, key, what);
}

/** A required array of strings. */
export function stringArray(o: JsonObject, key: string, what: string): string[] {
  const value = o[key];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw clientError('malformedResponse', `${what}: "${key}" is missing or not an array of strings`);
  return value as string[];
}

/** A required array of objects. */
export function objectArray(o: JsonObject, key: string, what: string): JsonObject[] {
  const value = o[key];
  if (!Array.isArray(value)) throw clientError('malformedResponse', `${what}: "${key}" is missing or not an array`);
  return value.map((v, i) => jsonObject(v, `${what}: ${key}[${i}]`));
}

/** A required string field whose value is one of `allowed` (a status, say). */
export function oneOf<T extends string>(o: JsonObject, key: string, allowed: readonly T[], what: string): T {
  const value = stringField(o, key, what);
  if (!(allowed as readonly string[]).includes(value)) throw clientError('malformedResponse', `${what}: "${key}" is "${value.slice(0, 40)}", not one of ${allowed.join(', ')}`);
  return value as T;
}

/** An optional RFC 3339 time field, as a Date. */
export function optionalTime(o: JsonObject, key: string, what: string): Date | undefined {
  const text = optionalString(o, key, what);
  if (text === undefined) return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw clientError('malformedResponse', `${what}: "${key}" is not a date`);
  return date;
}
