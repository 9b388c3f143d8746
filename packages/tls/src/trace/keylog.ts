/**
 * The NSS key log format, which Wireshark reads to decrypt a capture
 * (`CLIENT_HANDSHAKE_TRAFFIC_SECRET <client_random hex> <secret hex>`; for TLS 1.2,
 * `CLIENT_RANDOM <client_random hex> <master_secret hex>`).
 * This is the only way secrets leave the engine besides an explicit trace observer,
 * and only when the application asks for it.
 * @module
 */
import { toHex } from '../wire/bytes.js';

/**
 * A receiver of key log lines (without the trailing newline).
 *
 * @example
 * ```ts
 * import { ClientConnection, insecureSkipVerify, type KeyLogWriter } from '@lucid-tls/tls';
 * // For Wireshark: append each line to the file named by SSLKEYLOGFILE (here, to an array).
 * const lines: string[] = [];
 * const keyLog: KeyLogWriter = (line) => lines.push(line);
 * new ClientConnection({ serverName: 'example.com', verifyServerCertificate: insecureSkipVerify, keyLog });
 * console.log(lines.length); // → 0
 * ```
 * @category Trace
 */
export type KeyLogWriter = (line: string) => void;

/** Our secret names → the key log labels. */
export const keyLogLabels: Readonly<Record<string, string>> = {
  client_early_traffic_secret: 'CLIENT_EARLY_TRAFFIC_SECRET',
  client_handshake_traffic_secret: 'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
  server_handshake_traffic_secret: 'SERVER_HANDSHAKE_TRAFFIC_SECRET',
  client_application_traffic_secret_0: 'CLIENT_TRAFFIC_SECRET_0',
  server_application_traffic_secret_0: 'SERVER_TRAFFIC_SECRET_0',
  exporter_master_secret: 'EXPORTER_SECRET',
  early_exporter_master_secret: 'EARLY_EXPORTER_SECRET',
};

/**
 * The key log line for a secret, or undefined when the format has no label for it.
 *
 * @example
 * ```ts
 * import { keyLogLine } from '@lucid-tls/tls';
 * const line = keyLogLine('client_handshake_traffic_secret', new Uint8Array(32), new Uint8Array(32).fill(0xab));
 * console.log(line!.split(' ')[0]); // → CLIENT_HANDSHAKE_TRAFFIC_SECRET
 * console.log(keyLogLine('master_secret', new Uint8Array(32), new Uint8Array(32))); // → undefined
 * ```
 * @category Trace
 */
export function keyLogLine(name: string, clientRandom: Uint8Array, secret: Uint8Array): string | undefined {
  let label = keyLogLabels[name];
  const update = /^(client|server)_application_traffic_secret_(\d+)$/.exec(name);
  if (update && update[2] !== '0') label = `${update[1]!.toUpperCase()}_TRAFFIC_SECRET_${update[2]}`;
  return label ? `${label} ${toHex(clientRandom)} ${toHex(secret)}` : undefined;
}
