/**
 * Test helper: checks that a tree of annotated fields tiles a message exactly, and
 * returns its leaves in order.
 * @module
 */
import type { Field } from '../../src/wire/codec.js';

/**
 * The leaves of `fields`, depth first. Throws unless they are contiguous from byte 0
 * to `total` (every byte in exactly one leaf) and each group spans exactly its children.
 */
export function leaves(fields: readonly Field[], total: number): Field[] {
  const out: Field[] = [];
  let cursor = 0;
  const walk = (list: readonly Field[], path: string): void => {
    for (const f of list) {
      const where = `${path}/${f.name}@${f.offset}`;
      if (f.offset !== cursor) throw new Error(`${where}: starts at ${f.offset}, expected ${cursor}`);
      if (f.children) {
        walk(f.children, where);
        if (cursor !== f.offset + f.length) throw new Error(`${where}: length ${f.length}, children span ${cursor - f.offset}`);
      } else {
        out.push(f);
        cursor += f.length;
      }
    }
  };
  walk(fields, '');
  if (cursor !== total) throw new Error(`leaves end at ${cursor}, the message has ${total} bytes`);
  return out;
}

/** The first field named `name` in the tree (depth first), or undefined. */
export function findField(fields: readonly Field[], name: string): Field | undefined {
  for (const f of fields) {
    if (f.name === name) return f;
    const inner = f.children && findField(f.children, name);
    if (inner) return inner;
  }
  return undefined;
}
