// node:fs/promises for the io code, loaded lazily so that the browser build never touches it.
import { ValueError } from '../errors.js';

export type Fs = typeof import('node:fs/promises');
let fsModule: Promise<Fs> | null = null;

/** node:fs/promises, loaded on first use so that the browser build never touches it. */
export function nodeFs(who: string): Promise<Fs> {
  const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
  if (!isNode) return Promise.reject(new ValueError(`${who}: reading and writing files needs Node.js; use the in-memory encode/decode instead`));
  fsModule ??= import('node:fs/promises');
  return fsModule;
}
