/**
 * `lucid-tls acme …` lives in another package, `@lucid-tls/acme`, which depends on this
 * one: it is loaded when the command is used, so this package does not depend on it.
 * @module
 */

/** Held in a variable so the compiler does not try to resolve a package this one does not depend on. */
const ACME_CLI = '@lucid-tls/acme/cli';

/** Runs `lucid-tls acme ARGS` from `@lucid-tls/acme`, or says how to install it. */
export async function acmeCommand(args: string[]): Promise<number> {
  let cli: { main(args: string[]): Promise<number> };
  try {
    cli = (await import(ACME_CLI)) as typeof cli;
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes('@lucid-tls/acme');
    if (!missing) throw e;
    process.stderr.write('lucid-tls acme needs the @lucid-tls/acme package, which is not installed: npm install @lucid-tls/acme\n');
    return 1;
  }
  return cli.main(args);
}
