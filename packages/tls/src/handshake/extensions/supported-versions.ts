/**
 * supported_versions (RFC 8446 §4.2.1): the real version negotiation of TLS 1.3. The
 * client lists the versions it supports; the server names the one it chose. Its
 * presence is what marks a ServerHello as TLS 1.3 (legacy_version stays 0x0303).
 * @module
 */
import { readCodeList, writeCodeList, type CodeListShape } from '../messages/code-list.js';
import { versionValue } from '../messages/field-values.js';
import type { ExtensionBodyCodec } from './extension-block.js';

const RFC = 'RFC 8446 §4.2.1';
const versions: CodeListShape = {
  prefix: 1,
  name: 'versions',
  item: 'ProtocolVersion',
  describe: versionValue,
  bounds: { min: 2, max: 254 },
};

/** ClientHello: `ProtocolVersion versions<2..254>`. */
export const supportedVersionsList: ExtensionBodyCodec<{ type: 'supported_versions'; versions: number[] }> = {
  rfc: RFC,
  note: 'The TLS versions the client supports, most preferred first.',
  read: (r) => ({ type: 'supported_versions', versions: readCodeList(r, versions) }),
  write: (w, e) => writeCodeList(w, versions, e.versions),
};

/** ServerHello and HelloRetryRequest: `ProtocolVersion selected_version`. */
export const supportedVersionsSelected: ExtensionBodyCodec<{ type: 'supported_versions'; selectedVersion: number }> = {
  rfc: RFC,
  note: 'The version the server chose (0x0304 for TLS 1.3).',
  read(r) {
    const selectedVersion = r.u16('selected_version');
    r.describe({ value: versionValue(selectedVersion) });
    return { type: 'supported_versions', selectedVersion };
  },
  write(w, e) {
    w.u16(e.selectedVersion, 'selected_version', { value: versionValue(e.selectedVersion) });
  },
};
