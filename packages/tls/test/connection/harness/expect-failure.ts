/**
 * The check every error-path test makes (RFC 8446 §6): a side handed something it must
 * refuse throws a TlsError, queues the alert that error names (plaintext before keys,
 * protected after) and nothing else, and stays failed.
 * @module
 */
import { AlertDescription, TlsError, type AlertName } from '../../../src/alert.js';
import { splitRecords, type Endpoint } from './tap.js';

/** What {@link expectFailure} found. */
export interface Failure {
  error: TlsError;
  /** The alert record sent for it (undefined when the peer's alert ended the connection). */
  sentAlert?: { alert: string; protected: boolean };
}

/**
 * Runs `deliver` against `ep`, which must throw a TlsError; checks that the alert it
 * names was queued as the only new record (or after `options.after` others that
 * `deliver` legitimately caused), plaintext or protected per the keys in use,
 * that receiving again rethrows the same error, that writing throws it too, and that
 * nothing more is queued.
 */
export function expectFailure(ep: Endpoint, deliver: () => void, options: { after?: number } = {}): Failure {
  ep.conn.takeOutgoing(); // what it sent before is not ours to check
  let error: unknown;
  try {
    deliver();
  } catch (e) {
    error = e;
  }
  if (error === undefined) throw new Error(`no error; the ${ep.conn.side} is in state ${ep.conn.stateName}`);
  if (!(error instanceof TlsError)) throw error;
  const out = ep.conn.takeOutgoing();
  let sentAlert: Failure['sentAlert'];
  if (error.sent) {
    const count = splitRecords(out).length;
    if (count !== 1 + (options.after ?? 0)) throw new Error(`expected the alert record after ${options.after ?? 0} others, got ${count} records`);
    sentAlert = ep.tap.alertIn(out);
    if (sentAlert.alert !== error.alert) throw new Error(`the error names ${error.alert} but the record carries ${sentAlert.alert}`);
  } else if (out.length !== 0) {
    throw new Error('an alert was sent in answer to the peer’s alert');
  }
  if (ep.conn.error !== error) throw new Error('conn.error is not the thrown error');
  const thrownBy = (fn: () => void): unknown => {
    try {
      fn();
    } catch (e) {
      return e;
    }
    return undefined;
  };
  if (thrownBy(() => ep.conn.receive(Uint8Array.of(0x16, 3, 3))) !== error) throw new Error('receive() after the error did not rethrow the same TlsError');
  if (thrownBy(() => ep.conn.write(Uint8Array.of(1))) !== error) throw new Error('write() after the error did not throw the TlsError');
  if (ep.conn.takeOutgoing().length !== 0) throw new Error('bytes were queued after the error');
  const result: Failure = { error };
  if (sentAlert) result.sentAlert = sentAlert;
  return result;
}

/** The alert code of a name (for building alert records). */
export const alertCode = (name: AlertName): number => AlertDescription[name];
