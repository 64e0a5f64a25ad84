// Files over HTTP(S) with fetch (browsers, and Node >= 18): bytes, or a ValueError naming the URL.
import { ValueError } from '../errors.js';

/** An absolute http: or https: URL. */
export function isHttpUrl(path: string): boolean {
  return /^https?:\/\//i.test(path);
}

/** In a page (no Node.js), where a relative path such as `models/mnist/model.json` is fetched from. */
export function pageUrl(path: string): URL | null {
  const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
  const here = (globalThis as { location?: { href?: string } }).location?.href;
  return !isNode && typeof here === 'string' ? new URL(path, here) : null;
}

/** The body at `url`, refused past `maxBytes` (by its Content-Length before reading, and after). */
export async function fetchBytes(url: string, who: string, maxBytes = Infinity): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new ValueError(`${who}: cannot fetch ${url} (${(e as Error).message}${(e as { cause?: Error }).cause ? `: ${(e as { cause: Error }).cause.message}` : ''})`);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new ValueError(`${who}: fetching ${url} gave HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new ValueError(`${who}: ${url} has ${declared} bytes; at most ${maxBytes} are accepted for it`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > maxBytes) throw new ValueError(`${who}: ${url} has ${bytes.length} bytes; at most ${maxBytes} are accepted for it`);
  return bytes;
}
