/**
 * Alerts and the one error type the engine throws (RFC 8446 §6).
 *
 * Every violation of the protocol ends the connection with exactly one alert. The
 * receive path catches everything, sends that alert to the peer and hands the
 * caller a {@link TlsError} naming it; nothing else escapes.
 * @module
 */

/** AlertLevel (RFC 8446 §6). In TLS 1.3 the level is implied by the description. */
export const AlertLevel = { warning: 1, fatal: 2 } as const;

/**
 * AlertDescription codes (RFC 8446 §6).
 *
 * @example
 * ```ts
 * import { AlertDescription } from '@lucid-tls/tls';
 * console.log(AlertDescription.handshake_failure, AlertDescription.certificate_required); // → 40 116
 * ```
 * @category Engine
 */
export const AlertDescription = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  /** A warning in TLS 1.2 (RFC 5246 §7.2.2): we do not renegotiate, and the connection carries on. */
  no_renegotiation: 100,
  missing_extension: 109,
  unsupported_extension: 110,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  unknown_psk_identity: 115,
  certificate_required: 116,
  no_application_protocol: 120,
} as const;

/**
 * The name of an alert, e.g. `"decode_error"`.
 * @category Engine
 */
export type AlertName = keyof typeof AlertDescription;

const namesByCode = new Map<number, AlertName>(
  Object.entries(AlertDescription).map(([name, code]) => [code, name as AlertName]),
);

/**
 * The RFC name of an alert code, or `"unknown(<code>)"`.
 *
 * @example
 * ```ts
 * import { alertName } from '@lucid-tls/tls';
 * console.log(alertName(70), alertName(200)); // → protocol_version unknown(200)
 * ```
 * @category Engine
 */
export function alertName(code: number): AlertName | `unknown(${number})` {
  return namesByCode.get(code) ?? `unknown(${code})`;
}

/**
 * The error of a TLS connection. `alert` is the alert that ends the connection:
 * the one we sent (`sent: true`), or the one the peer sent us (`sent: false`).
 * `reason` explains it for a human and never contains key material.
 *
 * @example
 * ```ts
 * try { conn.receive(bytes); } catch (e) {
 *   if (e instanceof TlsError) console.log(e.alert, e.reason); // "decode_error", "ClientHello: 3 bytes left over"
 * }
 * ```
 * @category Engine
 */
export class TlsError extends Error {
  override readonly name = 'TlsError';
  constructor(
    /** The alert that ends (or would end) the connection. */
    readonly alert: AlertName,
    /** A human-readable reason, free of secrets. */
    readonly reason: string,
    /** True when we send this alert to the peer; false when the peer sent it to us. */
    readonly sent = true,
  ) {
    super(`${alert}: ${reason}`);
  }
}

/** Throws a {@link TlsError} with the given alert (a short form used throughout the engine). */
export function fail(alert: AlertName, reason: string): never {
  throw new TlsError(alert, reason);
}
