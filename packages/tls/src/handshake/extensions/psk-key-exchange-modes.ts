/**
 * psk_key_exchange_modes (RFC 8446 §4.2.9): how the client is willing to use a PSK —
 * alone (psk_ke) or together with a fresh (EC)DHE exchange for forward secrecy (psk_dhe_ke).
 * @module
 */
import type { ExtensionBodyCodec } from './extension-block.js';

/** PskKeyExchangeMode code points (§4.2.9). */
export const PskKeyExchangeMode = { psk_ke: 0, psk_dhe_ke: 1 } as const;

const modeValue = (mode: number): string =>
  mode === PskKeyExchangeMode.psk_ke ? 'psk_ke' : mode === PskKeyExchangeMode.psk_dhe_ke ? 'psk_dhe_ke' : String(mode);

/** ClientHello: `PskKeyExchangeMode ke_modes<1..255>`. */
export const pskKeyExchangeModes: ExtensionBodyCodec<{ type: 'psk_key_exchange_modes'; modes: number[] }> = {
  rfc: 'RFC 8446 §4.2.9',
  note: 'How the client may resume with a PSK: psk_ke (PSK only) or psk_dhe_ke (PSK plus a fresh key exchange).',
  read(r) {
    const modes = r.vector(
      1,
      'ke_modes',
      () =>
        r.list(() => {
          const mode = r.u8('PskKeyExchangeMode');
          r.describe({ value: modeValue(mode) });
          return mode;
        }),
      { min: 1 },
    );
    return { type: 'psk_key_exchange_modes', modes };
  },
  write(w, e) {
    w.vector(1, 'ke_modes', () => {
      for (const mode of e.modes) w.u8(mode, 'PskKeyExchangeMode', { value: modeValue(mode) });
    });
  },
};
