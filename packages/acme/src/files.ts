/**
 * Writing certificates and keys so that nothing is lost: each file is written under a
 * temporary name in the same directory, flushed to disk (fsync), then renamed over the
 * old one, and the directory is flushed so the rename survives a crash. A reader sees the
 * old file or the new one, never half of one. Keys are created with mode 0600.
 * @module
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `text` to `path` atomically (write, fsync, rename, fsync the directory).
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from '@lucid-tls/acme';
 * declare const keyPem: string;
 * writeFileAtomic('/etc/lucid/example.com/key.pem', keyPem, 0o600); // a reader sees the old key or the new one
 * ```
 */
export function writeFileAtomic(path: string, text: string, mode = 0o644): void {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'wx', mode);
  try {
    const bytes = Buffer.from(text);
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(temporary, path);
  const directory = openSync(dirname(path), 'r');
  try {
    fsyncSync(directory);
  } finally {
    closeSync(directory);
  }
}
