/**
 * The browser build of `system-store.ts`: a page has no operating-system CA bundle to
 * read, so there is none (a page builds its TrustStore from PEM it is given).
 * Bundlers pick this file through the `browser` field of package.json.
 * @module
 */

/** No system bundle paths in a browser. */
export const SYSTEM_CA_BUNDLE_PATHS: readonly string[] = [];

/** Always null in a browser. */
export function readSystemBundle(_paths: readonly string[] = SYSTEM_CA_BUNDLE_PATHS): string | null {
  return null;
}
