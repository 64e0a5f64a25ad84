// Run-time validation of options objects: an unknown key (a Keras snake_case spelling, a typo) is an
// error naming it, instead of an option silently ignored. Each options type lists its keys once,
// next to its declaration, as a `KeyList`: the compiler then rejects a list missing one of the type's keys.
import { ValueError } from './errors.js';

/** Every key of `T`, each mapped to true: written once per options type so a new option cannot be left out. */
export type KeyList<T> = { readonly [K in keyof Required<T>]: true };

/** The allowed keys of an options type, from its key list. */
export function optionKeys<T>(keys: KeyList<T>): readonly string[] {
  return Object.freeze(Object.keys(keys));
}

/** Whether `x` is a plain `{ ... }` object (not an array, tensor, layer or other class instance). */
export function isPlainOptions(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

const snakeToCamel = (k: string) => k.replace(/_+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The allowed key the user most likely meant: the camelCase form of a snake_case key, else a close spelling. */
export function suggestKey(key: string, allowed: readonly string[]): string | null {
  const camel = snakeToCamel(key);
  const exact = allowed.find((k) => k === camel) ?? allowed.find((k) => k.toLowerCase() === camel.toLowerCase());
  if (exact) return exact;
  const lower = camel.toLowerCase();
  const prefixed = lower.length >= 3 ? allowed.find((k) => k.toLowerCase().startsWith(lower) || lower.startsWith(k.toLowerCase())) : undefined;
  if (prefixed) return prefixed;
  let best: string | null = null;
  let bestDist = Infinity;
  for (const k of allowed) {
    const d = editDistance(camel.toLowerCase(), k.toLowerCase());
    if (d < bestDist) [best, bestDist] = [k, d];
  }
  return best !== null && bestDist <= Math.max(1, Math.floor(camel.length / 3)) ? best : null;
}

/**
 * Throw a ValueError for the first key of `opts` not in `allowed`, naming it, the camelCase or
 * closest spelling, and the allowed keys. `undefined`/`null` options are accepted (no options).
 */
export function checkOptions(where: string, opts: unknown, allowed: readonly string[]): void {
  if (opts === undefined || opts === null) return;
  if (typeof opts !== 'object' || Array.isArray(opts)) {
    throw new ValueError(`${where}: options must be an object { ... }, got ${Array.isArray(opts) ? 'an array' : typeof opts}`);
  }
  for (const key of Object.keys(opts)) {
    if (allowed.includes(key)) continue;
    const hint = suggestKey(key, allowed);
    throw new ValueError(
      `${where}: unknown option '${key}'${hint ? `; did you mean '${hint}'?` : ''} (options: ${[...allowed].sort().join(', ')})`,
    );
  }
}

/**
 * Merge a Keras-style call of positional arguments then one trailing options object into one
 * options object: `(64, 3, { padding })`, `(64, { kernelSize: 3 })` and `({ filters: 64, kernelSize: 3 })`
 * all give `{ filters: 64, kernelSize: 3, ... }`. The options are checked against `allowed`; a value
 * given both ways, more positional values than `positional` names, or an options object that is not
 * last are errors.
 */
export function mergePositional<A extends object>(where: string, allowed: readonly string[], positional: readonly (keyof A & string)[], given: readonly unknown[]): A {
  const values = [...given];
  while (values.length && values.at(-1) === undefined) values.pop();
  const opts = values.length && isPlainOptions(values.at(-1)) ? (values.pop() as Record<string, unknown>) : {};
  checkOptions(where, opts, allowed);
  const misplaced = values.findIndex((v) => isPlainOptions(v));
  if (misplaced >= 0) throw new ValueError(`${where}: the options object must be the last argument (got one at position ${misplaced + 1} of ${given.length})`);
  if (values.length > positional.length) {
    throw new ValueError(`${where}: takes at most ${positional.length} positional argument(s) (${positional.join(', ') || 'none'}) before the options, got ${values.length}`);
  }
  const out: Record<string, unknown> = { ...opts };
  values.forEach((v, i) => {
    if (v === undefined) return;
    const key = positional[i]!;
    if (opts[key] !== undefined) throw new ValueError(`${where}: '${key}' given both as an argument (${String(v)}) and in the options (${String(opts[key])})`);
    out[key] = v;
  });
  return out as A;
}
