import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { CipherSuiteId, NamedGroupId } from '../../src/crypto/provider.js';
import { fromHex } from '../../src/wire/bytes.js';
import { value } from './rfc8448.js';

describe('nobleProvider', () => {
  it('offers the three TLS 1.3 suites in preference order, with their AEAD and hash', () => {
    expect(nobleProvider.cipherSuites.map((s) => [s.id, s.name, s.aead.name, s.hash.name])).toEqual([
      [CipherSuiteId.TLS_AES_128_GCM_SHA256, 'TLS_AES_128_GCM_SHA256', 'AES-128-GCM', 'SHA-256'],
      [CipherSuiteId.TLS_AES_256_GCM_SHA384, 'TLS_AES_256_GCM_SHA384', 'AES-256-GCM', 'SHA-384'],
      [CipherSuiteId.TLS_CHACHA20_POLY1305_SHA256, 'TLS_CHACHA20_POLY1305_SHA256', 'ChaCha20-Poly1305', 'SHA-256'],
    ]);
  });

  it('offers every group, the post-quantum hybrids first and the finite fields last', () => {
    expect(nobleProvider.groups.map((g) => [g.id, g.name])).toEqual([
      [NamedGroupId.X25519MLKEM768, 'X25519MLKEM768'],
      [NamedGroupId.SecP256r1MLKEM768, 'SecP256r1MLKEM768'],
      [NamedGroupId.SecP384r1MLKEM1024, 'SecP384r1MLKEM1024'],
      [NamedGroupId.x25519, 'x25519'],
      [NamedGroupId.secp256r1, 'secp256r1'],
      [NamedGroupId.secp384r1, 'secp384r1'],
      [NamedGroupId.secp521r1, 'secp521r1'],
      [NamedGroupId.x448, 'x448'],
      [NamedGroupId.MLKEM768, 'MLKEM768'],
      [NamedGroupId.MLKEM1024, 'MLKEM1024'],
      [NamedGroupId.ffdhe2048, 'ffdhe2048'],
      [NamedGroupId.ffdhe3072, 'ffdhe3072'],
      [NamedGroupId.ffdhe4096, 'ffdhe4096'],
      [NamedGroupId.ffdhe6144, 'ffdhe6144'],
      [NamedGroupId.ffdhe8192, 'ffdhe8192'],
    ]);
    expect(new Set(nobleProvider.groups.map((g) => g.name))).toEqual(new Set(Object.keys(NamedGroupId)));
  });

  it('offers the signature schemes in the documented order', () => {
    expect(nobleProvider.signatureSchemes.map((s) => s.name)).toEqual([
      'ecdsa_secp256r1_sha256',
      'ecdsa_secp384r1_sha384',
      'ed25519',
      'rsa_pss_rsae_sha256',
      'rsa_pss_rsae_sha384',
      'rsa_pss_rsae_sha512',
      'rsa_pkcs1_sha256',
      'rsa_pkcs1_sha384',
      'rsa_pkcs1_sha512',
    ]);
  });

  it('draws random bytes of the requested length, differently each time', () => {
    const a = nobleProvider.randomBytes(32);
    const b = nobleProvider.randomBytes(32);
    expect(a.length).toBe(32);
    expect(nobleProvider.randomBytes(0).length).toBe(0);
    expect(a).not.toEqual(b);
  });

  it('runs an RFC 8448 key exchange through the provider', () => {
    const x25519 = nobleProvider.groups.find((g) => g.name === 'x25519')!;
    const client = x25519.keyGen(() => value('simple_1rtt', 'client_x25519_private'));
    expect(client.publicKey).toEqual(value('simple_1rtt', 'client_x25519_public'));
    expect(x25519.decaps(client.privateKey, value('simple_1rtt', 'server_x25519_public'))).toEqual(
      value('simple_1rtt', 'ecdhe_shared_secret'),
    );
    // Fresh pairs agree with each other.
    const a = x25519.keyGen(nobleProvider.randomBytes);
    const b = x25519.keyGen(nobleProvider.randomBytes);
    expect(x25519.decaps(a.privateKey, b.publicKey)).toEqual(x25519.decaps(b.privateKey, a.publicKey));
    expect(a.privateKey).not.toEqual(fromHex('00'.repeat(32)));
  });
});
