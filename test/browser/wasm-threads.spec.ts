// The bundle's choice of wasm module in headless Chromium: a cross-origin isolated page (COOP and
// COEP headers, so SharedArrayBuffer exists) fetches nabla-threads.wasm and its pool's workers
// attach once the page yields (one per core), and a matmul split between them equals js's; a page that is not
// isolated runs nabla.wasm on one thread and says why. Run with `npm run test:browser`.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// The page waits (yielding) until a thread per core serves, then multiplies 300x517 by 517x290 on wasm and on js.
const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
const nb = await import('/nabla.browser.js');
const isolated = globalThis.crossOriginIsolated;
const start = performance.now();
const cores = navigator.hardwareConcurrency;
while (isolated && nb.backendInfo('wasm').threads < cores && performance.now() - start < 20000) await new Promise((r) => setTimeout(r, 20));
const values = (n, seed) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed));
const product = (backend) => nb.withBackend(backend, () => Array.from(nb.matmul(nb.tensor(values(300 * 517, 1), [300, 517]), nb.tensor(values(517 * 290, 2), [517, 290])).dataSync()));
const wasm = product('wasm');
const js = product('js');
let worst = 0;
for (let i = 0; i < js.length; i++) worst = Math.max(worst, Math.abs(wasm[i] - js[i]) / Math.max(1, Math.abs(js[i])));
window.__result = { isolated, cores, backend: nb.getBackend(), info: nb.backendInfo('wasm'), worst, length: wasm.length };
</script>`;

function serve(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const isolating = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
    const path = (req.url ?? '').replace(/^\/(isolated|plain)/, '');
    const headers = req.url?.startsWith('/isolated') ? isolating : {};
    const files: Record<string, [string, string]> = {
      '/nabla.browser.js': ['text/javascript', 'dist/nabla.browser.js'],
      '/nabla.wasm': ['application/wasm', 'dist/nabla.wasm'],
      '/nabla-threads.wasm': ['application/wasm', 'dist/nabla-threads.wasm'],
    };
    if (path === '/') return void res.writeHead(200, { 'content-type': 'text/html', ...headers }).end(PAGE.replaceAll("'/nabla.browser.js'", `'${req.url!.replace(/\/$/, '')}/nabla.browser.js'`));
    const file = files[path];
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file[0], ...headers }).end(readFileSync(file[1]));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })));
}

interface Result {
  isolated: boolean;
  cores: number;
  backend: string;
  info: Record<string, unknown>;
  worst: number;
  length: number;
}

describe('the wasm module a page gets', () => {
  let browser: BrowserContext;
  let server: Server;
  let url: string;
  const profile = mkdtempSync(join(tmpdir(), 'nabla-chromium-threads-'));

  beforeAll(async () => {
    ({ server, url } = await serve());
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  async function open(path: string): Promise<Result> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}${path}/`);
    await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result, undefined, { timeout: 60_000 }).catch(() => undefined);
    const result = await page.evaluate(() => (window as unknown as { __result?: Result }).__result);
    await page.close();
    expect(errors).toEqual([]);
    return result!;
  }

  it('cross-origin isolated: the threaded module, a thread per core serving, the matmul right', async () => {
    const r = await open('/isolated');
    expect(r.isolated).toBe(true);
    expect(r.backend).toBe('wasm');
    expect(r.cores).toBeGreaterThanOrEqual(2);
    expect(r.info).toMatchObject({ available: true, name: 'wasm', simd: 'simd128', threads: r.cores });
    expect(r.info.oneThreadReason).toBeUndefined();
    expect(r.length).toBe(300 * 290);
    expect(r.worst).toBeLessThan(1e-4);
  });

  it('not isolated: the one-thread module, and why', async () => {
    const r = await open('/plain');
    expect(r.isolated).toBe(false);
    expect(r.backend).toBe('wasm');
    expect(r.info).toMatchObject({ available: true, name: 'wasm', threads: 1 });
    expect(r.info.oneThreadReason).toMatch(/not cross-origin isolated/);
    expect(r.worst).toBeLessThan(1e-4);
  });
});
