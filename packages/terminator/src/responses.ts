/**
 * The responses the terminator writes itself rather than relays from the upstream: its
 * own errors (a malformed request, a request too early, a failed upstream, a slow
 * client), each with a one-line plain-text body that says what happened.
 *
 * Most go through Node's `ServerResponse`. {@link closingResponse} is for the cases
 * where no response object owns the socket — the parser gave up on the request, the
 * request was an upgrade, the connection's header deadline passed — and the response
 * is written as wire text, the connection ending with it.
 * @module
 */

/** The reason phrases (RFC 9110 §15) of the statuses the terminator answers with itself. */
const REASON_PHRASES: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Content Too Large',
  425: 'Too Early',
  431: 'Request Header Fields Too Large',
  502: 'Bad Gateway',
  504: 'Gateway Timeout',
};

const ERROR_BODIES: Record<number, string> = {
  400: '400 Bad Request\n',
  408: '408 Request Timeout: the request head took too long\n',
  413: '413 Content Too Large\n',
  425: '425 Too Early: send this request again after the TLS handshake\n',
  431: '431 Request Header Fields Too Large\n',
  502: '502 Bad Gateway: the upstream server is unavailable\n',
  504: '504 Gateway Timeout: the upstream server did not answer in time\n',
};

/** The one-line body of an error response of ours. */
export function errorBody(status: number): string {
  return ERROR_BODIES[status] ?? `${status}\n`;
}

/** A response head (status line and headers, `rawHeaders` as name, value, name, value, …) as HTTP/1.1 wire text. */
export function responseHead(status: number, statusText: string, rawHeaders: readonly string[]): string {
  let head = `HTTP/1.1 ${status} ${statusText}\r\n`;
  for (let i = 0; i < rawHeaders.length; i += 2) head += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  return `${head}\r\n`;
}

/** The Strict-Transport-Security header (RFC 6797 §6.1) as raw header fields: none without a max-age. */
export function hstsHeader(hsts: number | undefined): string[] {
  return hsts === undefined ? [] : ['Strict-Transport-Security', `max-age=${hsts}`];
}

/**
 * A whole error response of ours as HTTP/1.1 wire text, with `Connection: close`, for a
 * socket no Node response owns; the connection ends with it.
 */
export function closingResponse(status: number, hsts: number | undefined): string {
  const body = errorBody(status);
  const headers = ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(Buffer.byteLength(body)), 'Connection', 'close', ...hstsHeader(hsts)];
  return responseHead(status, REASON_PHRASES[status] ?? '', headers) + body;
}
