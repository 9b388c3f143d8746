/**
 * "Check it yourself": beside a derived secret, a signature or a protected record of a
 * trace, a shell command that recomputes it with tools that are not Lucid TLS — OpenSSL
 * 3's `openssl kdf` (`HKDF` for HKDF-Extract, `TLS13-KDF` for HKDF-Expand-Label, RFC 8446
 * §7.1) and one-liners of Node's `node:crypto` (HMAC, X25519 and P-256, signature checks,
 * AES-GCM and ChaCha20-Poly1305). The inputs are the trace's own earlier values, so each
 * step can be checked on its own; a value whose inputs the trace does not hold (a random
 * private key, a PSK from another connection) gets no command.
 *
 * The commands hold secrets, like the trace they come from.
 * @module
 */
import { unwrapMessage, type MessageEvent, type RecordEvent, type SecretEvent, type Side, type TraceEvent, type TraceField } from './events.js';

/**
 * A command that recomputes a traced value, and what it prints when the value is right.
 * @category Trace
 */
export interface CheckCommand {
  /** A POSIX shell command line (`openssl …` or `node -e "…"`). */
  command: string;
  /** Exactly what it prints (its standard output, without the final newline). */
  prints: string;
}

/**
 * Returns a function giving, for each event of a trace in order, the command that checks
 * it, if there is one. It remembers the secrets and handshake messages it has seen: a
 * command's inputs are earlier values of the same trace.
 *
 * @example
 * ```ts
 * import { createCheckCommands } from '@lucid-tls/tls';
 * import { runScenario } from '@lucid-tls/tls/learn';
 * const check = createCheckCommands();
 * const checks = runScenario('simple_1rtt').events.map((e) => ({ e, check: check(e) }));
 * const earlySecret = checks.find(({ e }) => e.kind === 'secret' && e.name === 'early_secret')!.check!;
 * console.log(earlySecret.command.split(' -kdfopt ')[0], earlySecret.prints.slice(0, 11)); // → openssl kdf -keylen 32 33:AD:0A:1C
 * ```
 * @category Trace
 */
export function createCheckCommands(): (event: TraceEvent) => CheckCommand | undefined {
  const state: CheckState = { values: { client: new Map(), server: new Map() }, transcript: { client: [], server: [] }, leaf: { client: undefined, server: undefined } };
  return (event) => {
    switch (event.kind) {
      case 'secret': {
        const check = checkSecret(state, event);
        state.values[event.side].set(event.name, event.hex);
        return check;
      }
      case 'message': {
        const check = event.type === 'CertificateVerify' ? checkSignature(state, event) : undefined;
        remember(state, event);
        return check;
      }
      case 'record':
        return checkRecord(event);
      default:
        return undefined;
    }
  };
}

/** What the commands are made from: each side's secrets by name, its transcript so far, and each sender's certificate. */
interface CheckState {
  values: Record<Side, Map<string, string>>;
  /** Handshake messages in transcript order; after a HelloRetryRequest the first ClientHello is only its hash (§4.4.1). */
  transcript: Record<Side, TranscriptPart[]>;
  /** The end-entity certificate (hex DER) each side sent, as seen so far. */
  leaf: Record<Side, string | undefined>;
}

type TranscriptPart = { hex: string } | { hashOf: TranscriptPart[] };

const peer = (side: Side): Side => (side === 'client' ? 'server' : 'client');

/** A value by name: this side's, else the peer's (both derive the same values). */
function valueOf(state: CheckState, side: Side, name: string): string | undefined {
  return state.values[side].get(name) ?? state.values[peer(side)].get(name);
}

/** Post-handshake messages stay out of the transcript (§4.4.1). */
const NOT_IN_TRANSCRIPT = new Set(['NewSessionTicket', 'KeyUpdate']);

function remember(state: CheckState, e: MessageEvent): void {
  if (NOT_IN_TRANSCRIPT.has(e.type)) return;
  const transcript = state.transcript[e.side];
  // §4.4.1: the first ClientHello is replaced by message_hash, its hash, when a HelloRetryRequest follows.
  if (e.type === 'HelloRetryRequest') state.transcript[e.side] = [{ hashOf: transcript.splice(0) }];
  state.transcript[e.side].push({ hex: e.hex });
  if (e.type === 'Certificate') {
    const sender = e.direction === 'sent' ? e.side : peer(e.side);
    state.leaf[sender] = findField(unwrapMessage(e).fields, ['certificate_list', 'CertificateEntry', 'cert_data', 'data'])?.hex;
  }
}

/** The first field along `path` (by names, depth first). */
function findField(fields: TraceField[], path: string[]): TraceField | undefined {
  const [name, ...rest] = path;
  for (const f of fields) {
    if (f.name !== name) continue;
    if (rest.length === 0) return f;
    const found = f.children && findField(f.children, rest);
    if (found) return found;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Secrets

/** The hash of the suite in use, from the length of a secret (SHA-256 or SHA-384, §B.4). */
function hashOfLength(bytes: number): 'SHA256' | 'SHA384' | undefined {
  return bytes === 32 ? 'SHA256' : bytes === 48 ? 'SHA384' : undefined;
}

/** The secret before `name` in the schedule that a `derived` salt comes from (§7.1). */
const DERIVED_SALT: Record<string, string> = { handshake_secret: 'derived_for_handshake_secret', master_secret: 'derived_for_master_secret' };

function checkSecret(state: CheckState, e: SecretEvent): CheckCommand | undefined {
  const d = e.derivation;
  const length = e.hex.length / 2;
  const value = (name: string) => valueOf(state, e.side, name);
  let m: RegExpExecArray | null;
  if ((m = /^HKDF-Extract\((.+), (.+)\)$/.exec(d))) {
    const digest = hashOfLength(length);
    const zeros = '00'.repeat(length);
    const inputs: Record<string, string | undefined> = { '0': zeros, PSK: value('psk'), derived: DERIVED_SALT[e.name] && value(DERIVED_SALT[e.name]!), '(EC)DHE shared secret': value('ecdhe_shared_secret') };
    const [salt, ikm] = [inputs[m[1]!], inputs[m[2]!]];
    if (!digest || salt === undefined || ikm === undefined) return undefined;
    return openssl(e.hex, ['kdf', '-keylen', `${length}`, '-kdfopt', `digest:${digest}`, '-kdfopt', 'mode:EXTRACT_ONLY', '-kdfopt', `hexsalt:${salt}`, '-kdfopt', `hexkey:${ikm}`, 'HKDF']);
  }
  if ((m = /^(?:Derive-Secret|HKDF-Expand-Label)\((\w+), "([^"]+)", ([^,]+?)(?:, [^,]+)?\)$/.exec(d))) {
    // Derive-Secret(Secret, Label, Messages) = HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length) (§7.1).
    const key = value(m[1]!);
    const digest = key && hashOfLength(key.length / 2);
    const context = m[3] === '""' && d.startsWith('HKDF') ? '' : e.contextHex;
    if (!key || !digest || context === undefined) return undefined;
    return openssl(e.hex, ['kdf', '-keylen', `${length}`, '-kdfopt', `digest:${digest}`, '-kdfopt', 'mode:EXPAND_ONLY', '-kdfopt', `hexkey:${key}`, '-kdfopt', 'prefix:tls13 ', '-kdfopt', `label:${m[2]}`, '-kdfopt', `hexdata:${context}`, 'TLS13-KDF']);
  }
  if ((m = /^HMAC\((\w+), Transcript-Hash\(/.exec(d))) return hmac(e.hex, value(m[1]!), e.contextHex);
  if (d === 'HMAC(finished_key(binder_key), binder_transcript_hash)') return hmac(e.hex, value('binder_finished_key'), value('binder_transcript_hash'));
  if ((m = /^(x25519|secp256r1) public key/.exec(d))) {
    const group = m[1] as Group;
    const own = value(`${e.side}_${GROUPS[group].short}_private`);
    return own === undefined ? undefined : node(e.hex, `${KEYS}console.log(c.createPublicKey(priv('${group}','${own}')).export({format:'der',type:'spki'}).subarray(-${length}).toString('hex'))`);
  }
  if ((m = /^(x25519|secp256r1)\(\w+ private key, \w+ key_share\)$/.exec(d))) {
    const group = m[1] as Group;
    const own = state.values[e.side].get(`${e.side}_${GROUPS[group].short}_private`);
    const theirs = state.values[peer(e.side)].get(`${peer(e.side)}_${GROUPS[group].short}_public`);
    if (own === undefined || theirs === undefined) return undefined;
    return node(e.hex, `${KEYS}console.log(c.diffieHellman({privateKey:priv('${group}','${own}'),publicKey:pub('${group}','${theirs}')}).toString('hex'))`);
  }
  return undefined;
}

type Group = 'x25519' | 'secp256r1';

/** How each group's raw keys become DER for node:crypto: PKCS#8 and SPKI prefixes (RFC 8410, RFC 5915, RFC 5480). */
const GROUPS: Record<Group, { short: string; pkcs8: string; spki: string }> = {
  x25519: { short: 'x25519', pkcs8: '302e020100300506032b656e04220420', spki: '302a300506032b656e032100' },
  secp256r1: { short: 'p256', pkcs8: '3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420', spki: '3059301306072a8648ce3d020106082a8648ce3d030107034200' },
};

/** The start of a key one-liner: raw keys of either group as node:crypto KeyObjects. */
const KEYS =
  "const c=require('node:crypto'),g=" +
  JSON.stringify(Object.fromEntries(Object.entries(GROUPS).map(([k, v]) => [k, [v.pkcs8, v.spki]]))).replace(/"/g, "'") +
  ",priv=(n,k)=>c.createPrivateKey({key:Buffer.from(g[n][0]+k,'hex'),format:'der',type:'pkcs8'}),pub=(n,k)=>c.createPublicKey({key:Buffer.from(g[n][1]+k,'hex'),format:'der',type:'spki'});";

function hmac(expected: string, key: string | undefined, data: string | undefined): CheckCommand | undefined {
  const hash = key === undefined ? undefined : hashOfLength(key.length / 2);
  if (key === undefined || data === undefined || !hash) return undefined;
  return node(expected, `console.log(require('node:crypto').createHmac('${hash.toLowerCase()}',Buffer.from('${key}','hex')).update(Buffer.from('${data}','hex')).digest('hex'))`);
}

// ---------------------------------------------------------------------------------------------
// CertificateVerify (§4.4.3)

/** How node:crypto verifies each signature scheme (RFC 8446 §4.2.3). */
const SCHEMES: Record<string, string> = {
  ecdsa_secp256r1_sha256: "'sha256',m,k",
  ecdsa_secp384r1_sha384: "'sha384',m,k",
  ecdsa_secp521r1_sha512: "'sha512',m,k",
  ed25519: 'null,m,k',
  rsa_pss_rsae_sha256: "'sha256',m,{key:k,padding:c.constants.RSA_PKCS1_PSS_PADDING,saltLength:32}",
  rsa_pss_rsae_sha384: "'sha384',m,{key:k,padding:c.constants.RSA_PKCS1_PSS_PADDING,saltLength:48}",
  rsa_pss_rsae_sha512: "'sha512',m,{key:k,padding:c.constants.RSA_PKCS1_PSS_PADDING,saltLength:64}",
};

/**
 * The CertificateVerify signature checked with the sender's certificate: over 64 spaces,
 * the context string, a zero byte and the transcript hash through the Certificate, which
 * the command computes from the messages themselves.
 */
function checkSignature(state: CheckState, e: MessageEvent): CheckCommand | undefined {
  const signer = e.direction === 'sent' ? e.side : peer(e.side);
  const { fields } = unwrapMessage(e);
  const scheme = fields.find((f) => f.name === 'algorithm')?.value;
  const signature = findField(fields, ['signature', 'data'])?.hex;
  const leaf = state.leaf[signer];
  const secret = valueOf(state, e.side, `${signer}_handshake_traffic_secret`);
  const hash = secret && hashOfLength(secret.length / 2)?.toLowerCase();
  const verify = scheme && SCHEMES[scheme];
  if (!signature || !leaf || !hash || !verify) return undefined;
  const transcript = transcriptJs(state.transcript[e.side], hash);
  return node(
    'true',
    `const c=require('node:crypto'),b=(x)=>Buffer.from(x,'hex'),h=(d)=>c.createHash('${hash}').update(d).digest();` +
      `const t=${transcript};` +
      `const m=Buffer.concat([Buffer.alloc(64,32),Buffer.from('TLS 1.3, ${signer} CertificateVerify'),Buffer.alloc(1),t]);` +
      `const k=new c.X509Certificate(b('${leaf}')).publicKey;` +
      `console.log(c.verify(${verify},b('${signature}')))`,
  );
}

/** Transcript-Hash(messages) as JavaScript over `b` (hex) and `h` (the hash), message_hash included (§4.4.1). */
function transcriptJs(parts: TranscriptPart[], hash: string): string {
  const length = hash === 'sha384' ? '30' : '20';
  const part = (p: TranscriptPart): string => ('hex' in p ? `b('${p.hex}')` : `b('fe0000${length}'),${transcriptJs(p.hashOf, hash)}`);
  return `h(Buffer.concat([${parts.map(part).join(',')}]))`;
}

// ---------------------------------------------------------------------------------------------
// Records (§5.2)

/** Records up to this size get a decryption command; longer ones would make an unwieldy line. */
const MAX_CHECKED_RECORD = 2048;

const CIPHERS: Record<string, string> = { 'AES-128-GCM': 'aes-128-gcm', 'AES-256-GCM': 'aes-256-gcm', 'ChaCha20-Poly1305': 'chacha20-poly1305' };

/** A protected record decrypted with its key and nonce: it prints the TLSInnerPlaintext (content, type, padding). */
function checkRecord(e: RecordEvent): CheckCommand | undefined {
  const aead = e.aead;
  const cipher = aead && CIPHERS[aead.algorithm];
  if (!aead || !cipher || e.dropped || e.hex.length / 2 > MAX_CHECKED_RECORD) return undefined;
  const body = e.hex.slice(10);
  const [ciphertext, tag] = [body.slice(0, -32), body.slice(-32)];
  const type = { handshake: '16', alert: '15', application_data: '17' }[e.innerType];
  if (!type) return undefined;
  const inner = e.contentHex + type + '00'.repeat(e.paddingLength ?? 0);
  return node(
    inner,
    `const c=require('node:crypto'),b=(x)=>Buffer.from(x,'hex'),d=c.createDecipheriv('${cipher}',b('${aead.key}'),b('${aead.nonce}'),{authTagLength:16});` +
      `d.setAAD(b('${aead.additionalData}'));d.setAuthTag(b('${tag}'));console.log(Buffer.concat([d.update(b('${ciphertext}')),d.final()]).toString('hex'))`,
  );
}

// ---------------------------------------------------------------------------------------------
// Command lines

/** `openssl ARGS`, quoting what the shell would split; it prints the bytes as `AB:CD:…`. */
function openssl(expectedHex: string, args: string[]): CheckCommand {
  const quoted = args.map((a) => (/^[\w.:=+-]*$/.test(a) ? a : `'${a}'`));
  return { command: `openssl ${quoted.join(' ')}`, prints: (expectedHex.toUpperCase().match(/../g) ?? []).join(':') };
}

/** `node -e "SCRIPT"`; the script uses no double quotes, dollar signs or backticks. */
function node(prints: string, script: string): CheckCommand {
  return { command: `node -e "${script}"`, prints };
}
