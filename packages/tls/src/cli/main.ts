/** The `lucid-tls` command line. @module */
export async function main(args: string[]): Promise<number> {
  process.stderr.write(`lucid-tls: unknown command ${args[0] ?? ''}\n`);
  return 2;
}
