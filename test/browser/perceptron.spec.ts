// The browser bundle in headless Chromium: the lesson's perceptron trains in a page on the js
// backend, and on webgpu when the browser offers an adapter (the result says whether it did).
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
  hasNavigatorGpu: boolean;
  runs: Run[];
  webgpuUnavailable: string | null;
  error?: string;
}

const FILES: Record<string, [string, string]> = {
  '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>nabla perceptron</title><script type="module" src="/perceptron-page.js"></script>'],
  '/nabla.browser.js': ['text/javascript', 'dist/nabla.browser.js'],
  '/perceptron-page.js': ['text/javascript', 'test/browser/perceptron-page.js'],
};

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

  afterAll(async () => {
    await browser?.close();
    server?.close();
    rmSync(profile, { recursive: true, force: true });
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
