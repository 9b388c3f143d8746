/**
 * Extensions from TLS 1.2 that clients still send in a ClientHello (RFC 8448's traces
 * include them): renegotiation_info (RFC 5746 §3.2), session_ticket (RFC 5077 §3.2)
 * and padding (RFC 7685 §3). A TLS 1.3 server reads them and otherwise ignores them.
 * @module
 */
import { fail } from '../../alert.js';
import type { PaddingExtension, RenegotiationInfoExtension, SessionTicketExtension } from '../messages/types.js';
import type { ExtensionBodyCodec } from './extension-block.js';

/** `opaque renegotiated_connection<0..255>`: empty on a first handshake. */
export const renegotiationInfo: ExtensionBodyCodec<RenegotiationInfoExtension> = {
  rfc: 'RFC 5746 §3.2',
  note: 'TLS 1.2 secure renegotiation; empty on an initial handshake. TLS 1.3 has no renegotiation.',
  read: (r) => ({ type: 'renegotiation_info', renegotiatedConnection: r.opaque(1, 'renegotiated_connection') }),
  write(w, e) {
    w.opaque(1, e.renegotiatedConnection, 'renegotiated_connection');
  },
};

/** The whole body is the ticket (empty: "I support tickets, I have none"). */
export const sessionTicket: ExtensionBodyCodec<SessionTicketExtension> = {
  rfc: 'RFC 5077 §3.2',
  note: 'TLS 1.2 session resumption; TLS 1.3 resumes with pre_shared_key instead.',
  read: (r) => ({ type: 'session_ticket', ticket: r.rest('ticket') }),
  write(w, e) {
    w.bytes(e.ticket, 'ticket');
  },
};

/** Zero bytes that bring the ClientHello to a size some middleboxes handle better. */
export const padding: ExtensionBodyCodec<PaddingExtension> = {
  rfc: 'RFC 7685 §3',
  note: 'Zero bytes that make the ClientHello larger, working around middleboxes that mishandle some sizes.',
  read(r) {
    const zeros = r.rest('padding');
    r.describe({ value: `${zeros.length} zero bytes` });
    // "The client MUST fill the padding extension completely with zero bytes."
    if (zeros.some((b) => b !== 0)) fail('decode_error', 'padding: not all zero bytes');
    return { type: 'padding', length: zeros.length };
  },
  write(w, e) {
    w.bytes(new Uint8Array(e.length), 'padding', { value: `${e.length} zero bytes` });
  },
};
