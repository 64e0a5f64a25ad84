// The browser bundle in headless Chromium: the page's default backend is wasm (the module fetched
// from beside the bundle), and the lesson's perceptron trains in a page on js and wasm, and on
// webgpu when the browser offers an adapter (the result says whether it did).
// Run with `npm run test:browser` (it builds the bundle first); needs /usr/bin/chromium.
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface Run {
  backend: string;
  info: Record<string, unknown>;
  firstLoss: number;
  lastLoss: number;
  accuracy: number;
  w: number[];
}
interface PageResult {
  default: { name: string; info: Record<string, unknown>; matmul: number[][]; computedOn: string };
  hasNavigatorGpu: boolean;
  runs: Run[];
  webgpuUnavailable: string | null;
  error?: string;
}

const FILES: Record<string, [string, string]> = {
  '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>nabla perceptron</title><script type="module" src="/perceptron-page.js"></script>'],
  '/nabla.browser.js': ['text/javascript', 'dist/nabla.browser.js'],
  '/nabla.wasm': ['application/wasm', 'dist/nabla.wasm'],
  '/perceptron-page.js': ['text/javascript', 'test/browser/perceptron-page.js'],
  // The bundle alone in a folder without the module: pages that fall back to js, or point elsewhere.
  '/bare/nabla.browser.js': ['text/javascript', 'dist/nabla.browser.js'],
  '/elsewhere/module.wasm': ['application/wasm', 'dist/nabla.wasm'],
  '/min/nabla.browser.min.js': ['text/javascript', 'dist/nabla.browser.min.js'],
  '/min/nabla.wasm': ['application/wasm', 'dist/nabla.wasm'],
  '/minified': ['text/html', `<!doctype html><meta charset="utf-8"><script type="module">
const nb = await import('/min/nabla.browser.min.js');
const model = new nb.Sequential([new nb.layers.Dense(2, { inputShape: [3] })]);
window.__nablaResult = { name: nb.getBackend(), classes: [model.constructor.name, model.layers[0].constructor.name] };
</script>`],
  '/fallback': ['text/html', pageReporting('')],
  '/pointed': ['text/html', pageReporting("globalThis.NABLA_WASM_URL = '/elsewhere/module.wasm';")],
};

/** A page that imports the bare bundle (after `setup`) and reports its default backend. */
function pageReporting(setup: string): string {
  return `<!doctype html><meta charset="utf-8"><script type="module">${setup}
const nb = await import('/bare/nabla.browser.js');
window.__nablaResult = { name: nb.getBackend(), wasm: nb.backendInfo('wasm'), sum: nb.add(nb.tensor([1, 2]), 3).arraySync() };
</script>`;
}

function serve(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const file = FILES[req.url ?? ''];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    const [type, pathOrBody] = file;
    res.writeHead(200, { 'content-type': type });
    res.end(type === 'text/html' ? pathOrBody : readFileSync(pathOrBody));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const address = server.address() as { port: number };
    resolve({ server, url: `http://127.0.0.1:${address.port}/` });
  }));
}

describe('the browser bundle in headless Chromium', () => {
  let browser: BrowserContext;
  let server: Server;
  let url: string;
  const profile = mkdtempSync(join(tmpdir(), 'nabla-chromium-'));
  let result: PageResult;

  beforeAll(async () => {
    ({ server, url } = await serve());
    // A persistent context is how Playwright takes the (empty) --user-data-dir.
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => (window as { __nablaResult?: unknown }).__nablaResult !== undefined, undefined, { timeout: 120_000 });
    result = (await page.evaluate(() => (window as { __nablaResult?: unknown }).__nablaResult)) as PageResult;
    if (errors.length) result.error = (result.error ?? '') + errors.join('\n');
    console.log(`browser: navigator.gpu ${result.hasNavigatorGpu ? 'present' : 'absent'}; webgpu ${result.webgpuUnavailable ? `unavailable: ${result.webgpuUnavailable}` : 'ran'}`);
  }, 180_000);

  async function defaultOf(path: string): Promise<{ name: string; wasm: { available: boolean; reason?: string }; sum: number[] }> {
    const page = await browser.newPage();
    await page.goto(url + path.slice(1));
    await page.waitForFunction(() => (window as { __nablaResult?: unknown }).__nablaResult !== undefined, undefined, { timeout: 60_000 });
    const r = await page.evaluate(() => (window as { __nablaResult?: unknown }).__nablaResult);
    await page.close();
    return r as Awaited<ReturnType<typeof defaultOf>>;
  }

  it('runs on js when the module cannot be fetched, and says why wasm is unavailable', async () => {
    const r = await defaultOf('/fallback');
    expect(r.name).toBe('js');
    expect(r.sum).toEqual([4, 5]);
    expect(r.wasm.available).toBe(false);
    expect(r.wasm.reason).toMatch(/could not load http:\/\/127\.0\.0\.1:\d+\/bare\/nabla\.wasm: .*404/);
  });

  it('the minified bundle runs on wasm and keeps the class names that models are saved by', async () => {
    const r = (await defaultOf('/minified')) as unknown as { name: string; classes: string[] };
    expect(r.name).toBe('wasm');
    expect(r.classes).toEqual(['Sequential', 'Dense']);
  });

  it('fetches the module from globalThis.NABLA_WASM_URL when the page sets it', async () => {
    const r = await defaultOf('/pointed');
    expect(r.name).toBe('wasm');
    expect(r.sum).toEqual([4, 5]);
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('defaults to wasm, loaded from beside the bundle, and computes a matmul on it', () => {
    expect(result.error).toBeUndefined();
    expect(result.default.name).toBe('wasm');
    expect(result.default.info).toMatchObject({ available: true, name: 'wasm' });
    expect(result.default.computedOn).toBe('wasm');
    expect(result.default.matmul).toEqual([
      [19, 23],
      [43, 52],
    ]);
  });

  it('trains the perceptron on wasm as on js', () => {
    const js = result.runs.find((r) => r.backend === 'js')!;
    const wasm = result.runs.find((r) => r.backend === 'wasm')!;
    expect(wasm.info.name).toBe('wasm');
    expect(wasm.accuracy).toBeCloseTo(js.accuracy, 5);
    wasm.w.forEach((v, i) => expect(v).toBeCloseTo(js.w[i]!, 4));
  });

  it('trains the perceptron on js: loss falls, accuracy above 95%', () => {
    expect(result.error).toBeUndefined();
    const js = result.runs.find((r) => r.backend === 'js')!;
    expect(js.info.name).toBe('js');
    expect(js.firstLoss).toBeCloseTo(Math.log(2), 5);
    expect(js.lastLoss).toBeLessThan(js.firstLoss * 0.5);
    expect(js.accuracy).toBeGreaterThan(0.95);
  });

  it('on webgpu, when the browser offers an adapter, matches js; otherwise says why', () => {
    const gpu = result.runs.find((r) => r.backend === 'webgpu');
    if (!gpu) {
      expect(result.webgpuUnavailable).toMatch(/webgpu/);
      expect(result.webgpuUnavailable).toMatch(/navigator\.gpu|adapter/);
      return;
    }
    const js = result.runs.find((r) => r.backend === 'js')!;
    expect(gpu.info.name).toBe('webgpu');
    expect(gpu.accuracy).toBeCloseTo(js.accuracy, 2);
    gpu.w.forEach((v, i) => expect(v).toBeCloseTo(js.w[i]!, 3));
  });
});
