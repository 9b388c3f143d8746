/**
 * `lucid-tls acme revoke --out DIR [--reason N]`: asks the CA to revoke the certificate in
 * `DIR/cert.pem`, signed with the account that obtained it (RFC 8555 §7.6).
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCertificatesPem, parsePrivateKeyPem } from '@lucid-tls/tls/x509';
import { findAccount } from '../account.js';
import { revokeCertificate } from '../certificate.js';
import { AcmeClient } from '../client.js';
import { asAccountKey } from '../jws.js';
import { renderAcmeEvent } from '../trace.js';
import { UsageError, parseOptions, single, wholeNumber } from './args.js';
import { FILES, readSettings } from './settings.js';

/** `revoke`. */
export async function revokeCommand(args: string[]): Promise<number> {
  const options = parseOptions(args, { valued: ['out', 'reason'], flags: ['trace'] });
  const out = single(options, 'out');
  if (out === undefined) throw new UsageError('--out DIR is needed');
  const reason = wholeNumber(single(options, 'reason'), 'reason', 0, 10);
  const settings = readSettings(out);
  const [leaf] = parseCertificatesPem(readFileSync(join(out, FILES.certificate), 'utf8'));
  if (!leaf) throw new Error(`${join(out, FILES.certificate)} holds no certificate`);
  const client = new AcmeClient({
    directoryUrl: settings.directory,
    accountKey: asAccountKey(parsePrivateKeyPem(readFileSync(join(out, FILES.accountKey), 'utf8'))),
    ...(settings.accountUrl ? { accountUrl: settings.accountUrl } : {}),
    ...(settings.cafile ? { ca: readFileSync(settings.cafile) } : {}),
    ...(options.flags.has('trace') ? { trace: (event) => process.stderr.write(renderAcmeEvent(event)) } : {}),
  });
  if (client.accountUrl === undefined) await findAccount(client);
  await revokeCertificate(client, leaf.der, reason === undefined ? {} : { reason });
  process.stdout.write(`Revoked the certificate ${leaf.serialNumberHex} (${(leaf.subjectAltNames ?? []).map((n) => n.value).join(', ')}).\n`);
  return 0;
}
