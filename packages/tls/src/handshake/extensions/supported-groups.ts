/**
 * supported_groups (RFC 8446 §4.2.7): the key-exchange groups the sender can use, in
 * order of preference. Sent by the client; a server may send its own list in
 * EncryptedExtensions for the client's next connection.
 * @module
 */
import { readCodeList, writeCodeList, type CodeListShape } from '../messages/code-list.js';
import { groupValue } from '../messages/field-values.js';
import type { SupportedGroupsExtension } from '../messages/types.js';
import type { ExtensionBodyCodec } from './extension-block.js';

const namedGroupList: CodeListShape = {
  prefix: 2,
  name: 'named_group_list',
  item: 'NamedGroup',
  describe: groupValue,
  bounds: { min: 2, max: 2 ** 16 - 2 },
};

/** `NamedGroupList` in ClientHello and EncryptedExtensions. */
export const supportedGroups: ExtensionBodyCodec<SupportedGroupsExtension> = {
  rfc: 'RFC 8446 §4.2.7',
  note: 'The key-exchange groups (elliptic curves, finite fields) the sender supports, most preferred first.',
  read: (r) => ({ type: 'supported_groups', groups: readCodeList(r, namedGroupList) }),
  write: (w, e) => writeCodeList(w, namedGroupList, e.groups),
};
