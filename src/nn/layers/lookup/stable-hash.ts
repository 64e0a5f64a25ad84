// A string hash that is the same on every platform and run (FNV-1a, 32-bit, over UTF-16 code
// units): the bins of Hashing and the OOV indices of the lookups. Keras uses FarmHash, so the bins
// a token lands in differ from Keras's; they are stable across nabla runs and machines.
export function stableHash(s: string, salt = 0): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
