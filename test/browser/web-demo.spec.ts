// The browser demo (`npm run demo:web`) as a user meets it, in headless Chromium: served by the
// demo's own server (Vite, COOP/COEP), opened with ?autorun=1&epochs=1&model=dense, it trains on
// the MNIST subset on wasm and shows a test accuracy of at least 90%; a digit drawn with the
// mouse gets ten class probabilities; the model saved to IndexedDB and loaded after a reload gives
// the same probabilities. Screenshots go to out/ (gitignored). Then the same page on webgpu
// (Chromium's SwiftShader adapter), when that adapter is there. Run by `npm run test:browser`.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
// @ts-expect-error: a plain .mjs script without types
import { buildWebDemo } from '../../scripts/build-web-demo.mjs';
// @ts-expect-error: a plain .mjs script without types
import { serveWebDemo } from '../../scripts/demo-web.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];
const TRAINING_MS = 150_000;

interface DemoState {
  phase: string;
  backend?: string;
  testAccuracy?: number;
  samplesPerSecond?: number;
  probabilities?: number[];
  loaded?: boolean;
  saved?: boolean;
  error?: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const demoState = (page: Page) => page.evaluate(() => (window as unknown as { nablaDemo: DemoState }).nablaDemo);

async function waitFor(page: Page, what: string, timeout: number): Promise<DemoState> {
  await page.waitForFunction(
    (cond) => {
      const s = (window as unknown as { nablaDemo?: DemoState }).nablaDemo;
      return !!s && (s.phase === 'error' || new Function('s', `return ${cond}`)(s));
    },
    what,
    { timeout, polling: 250 },
  );
  const s = await demoState(page);
  if (s.phase === 'error') throw new Error(`the demo page failed: ${s.error}`);
  return s;
}

/** A "7" with the mouse: across the top, then down to the left. */
async function drawSeven(page: Page): Promise<void> {
  const box = (await page.locator('#pad').boundingBox())!;
  const at = (x: number, y: number) => [box.x + (x * box.width) / 280, box.y + (y * box.height) / 280] as const;
  await page.mouse.move(...at(70, 60));
  await page.mouse.down();
  await page.mouse.move(...at(210, 60), { steps: 12 });
  await page.mouse.move(...at(120, 230), { steps: 15 });
  await page.mouse.up();
}

describe('the browser demo page', () => {
  let url: string;
  let close: () => Promise<void>;
  const profiles: string[] = [];

  beforeAll(async () => {
    await buildWebDemo();
    const server = await serveWebDemo({ port: await freePort(), strictPort: true, quiet: true });
    url = server.resolvedUrls.local[0];
    close = () => server.close();
    mkdirSync('out', { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await close?.();
    for (const p of profiles) rmSync(p, { recursive: true, force: true });
  });

  async function launch(extraFlags: string[]): Promise<BrowserContext> {
    const profile = mkdtempSync(join(tmpdir(), 'nabla-demo-chromium-'));
    profiles.push(profile);
    return chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: [...FLAGS, ...extraFlags], viewport: { width: 1000, height: 900 } });
  }

  it('trains the dense model on wasm to >= 90% test accuracy, classifies a drawn digit, and saves and loads it through IndexedDB', async () => {
    const browser = await launch(['--disable-gpu']);
    try {
      const page = await browser.newPage();
      const headers = (await page.goto(`${url}?autorun=1&epochs=1&model=dense`))!.headers();
      expect(headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
      expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);

      const trained = await waitFor(page, "s.phase === 'trained'", TRAINING_MS);
      console.log(`web demo on ${trained.backend}: test accuracy ${trained.testAccuracy}, ${Math.round(trained.samplesPerSecond!)} samples/s`);
      expect(trained.backend).toBe('wasm');
      expect(trained.testAccuracy).toBeGreaterThanOrEqual(0.9);
      expect(await page.locator('#test-accuracy').textContent()).toBe(`test accuracy ${(100 * trained.testAccuracy!).toFixed(1)}%`);
      expect(trained.samplesPerSecond).toBeGreaterThan(0);

      await drawSeven(page);
      const drawn = await waitFor(page, 's.probabilities !== undefined', 30_000);
      const shown = JSON.parse((await page.locator('#probs').getAttribute('data-probabilities'))!) as number[];
      expect(shown).toEqual(drawn.probabilities);
      expect(shown).toHaveLength(10);
      shown.forEach((p) => expect(p).toBeGreaterThanOrEqual(0));
      expect(shown.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      expect(await page.locator('#probs li').count()).toBe(10);
      console.log(`web demo: the drawn 7 gets ${shown.map((p) => p.toFixed(3)).join(' ')}`);
      expect(shown.indexOf(Math.max(...shown))).toBe(7);
      await page.screenshot({ path: 'out/web-demo-wasm.png', fullPage: true });

      await page.click('#save');
      await waitFor(page, 's.saved === true', 30_000);

      await page.goto(url);
      await waitFor(page, "s.phase === 'ready'", 60_000);
      await drawSeven(page);
      await page.click('#load');
      const reloaded = await waitFor(page, 's.loaded === true && s.probabilities !== undefined', 30_000);
      reloaded.probabilities!.forEach((p, i) => expect(p).toBeCloseTo(shown[i]!, 5));
    } finally {
      await browser.close();
    }
  }, 240_000);

  it('trains on webgpu (SwiftShader) when Chromium offers that adapter', async () => {
    const browser = await launch(WEBGPU_FLAGS);
    try {
      const page = await browser.newPage();
      await page.goto(url);
      await waitFor(page, "s.phase === 'ready'", 60_000);
      const hasAdapter = await page.evaluate(async () => !!(await (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu?.requestAdapter()));
      if (!hasAdapter) {
        console.log('web demo: no WebGPU adapter in this Chromium; the webgpu run was not made');
        expect(await page.locator('#backend option[value=webgpu]').isDisabled()).toBe(true);
        return;
      }
      await page.goto(`${url}?autorun=1&epochs=1&model=dense&backend=webgpu&train=640&test=200`);
      const trained = await waitFor(page, "s.phase === 'trained'", TRAINING_MS);
      console.log(`web demo on ${trained.backend}: test accuracy ${trained.testAccuracy}, ${Math.round(trained.samplesPerSecond!)} samples/s`);
      expect(trained.backend).toBe('webgpu');
      // Ten steps on 640 images: far above chance (10%), and the curves were drawn from live logs.
      expect(trained.testAccuracy).toBeGreaterThanOrEqual(0.6);
      await page.screenshot({ path: 'out/web-demo-webgpu.png', fullPage: true });
    } finally {
      await browser.close();
    }
  }, 240_000);
});
