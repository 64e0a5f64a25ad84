// Browser IO in headless Chromium, through the bundle: model.save / nb.models.load with
// indexeddb:// (across a reload, and a save cut short by a navigation leaves one whole model),
// downloads:// (the files arrive and load back in Node), and loading a model and an ONNX file by
// URL (relative to the page) with fetch. Run by `npm run test:browser`; needs /usr/bin/chromium.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import * as nb from '../../src/index.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const PAGE = `<!doctype html><meta charset="utf-8"><body><script type="module">
import * as nb from '/dist/nabla.browser.js';
window.nb = nb;
// The same model and input on both sides: the weights come from seeded draws.
window.makeModel = (seed) => {
  nb.random.seed(seed);
  const m = new nb.Sequential([new nb.layers.Dense(6, { inputShape: [4], activation: 'relu' }), new nb.layers.Dense(3, { activation: 'softmax' })]);
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  return m;
};
window.input = () => nb.tensor([[0.5, -1, 2, 0.25], [1, 1, -0.5, 0]]);
window.predict = (m) => Array.from(m.predict(window.input()).dataSync());
window.ready = true;
</script>`;

const root = mkdtempSync(join(tmpdir(), 'nabla-browser-io-'));
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
type Win = Record<string, any>;

/**
 * README's "In the browser" snippet as a page: the bundle from dist/, without the two lines that
 * load from a remote site and a file this server does not have; it reports what it made.
 */
function readmePage(): string {
  const readme = readFileSync('README.md', 'utf8');
  const snippet = /## In the browser[\s\S]*?```html\n([\s\S]*?)```/.exec(readme)![1]!;
  const kept = snippet.split('\n').filter((line) => !/example\.com|classifier\.onnx/.test(line));
  const code = kept.join('\n').replace("'./nabla.browser.min.js'", "'/dist/nabla.browser.min.js'");
  return code.replace('</script>', "window.__readme = { backend: nb.getBackend(), layers: again.layers.length, same: JSON.stringify(again.predict(nb.ones([1, 4])).arraySync()) === JSON.stringify(model.predict(nb.ones([1, 4])).arraySync()) };\n</script>");
}

describe('browser IO through the bundle in headless Chromium', () => {
  let browser: BrowserContext;
  let server: Server;
  let url: string;
  let page: Page;
  const profile = mkdtempSync(join(tmpdir(), 'nabla-chromium-'));

  async function open(): Promise<void> {
    await page.goto(url);
    await page.waitForFunction(() => (window as Win).ready === true, undefined, { timeout: 60_000 });
  }

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = normalize(new URL(req.url!, 'http://x').pathname);
      if (path === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      if (path === '/readme') return void res.writeHead(200, { 'content-type': 'text/html' }).end(readmePage());
      const file = path.startsWith('/dist/') ? join(process.cwd(), path) : join(root, path);
      let body: Buffer;
      try {
        body = readFileSync(file);
      } catch {
        return void res.writeHead(404, 'Not Found').end();
      }
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, acceptDownloads: true });
    page = await browser.newPage();
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await open();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    server?.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });

  it('saves to indexeddb:// and loads back the same predictions after a reload, compiled as saved', async () => {
    const saved = await page.evaluate(async () => {
      const w = window as Win;
      const m = w.makeModel(1);
      await m.save('indexeddb://small');
      return { backend: w.nb.getBackend(), predictions: w.predict(m) };
    });
    expect(saved.backend).toBe('wasm');
    await open();
    const loaded = await page.evaluate(async () => {
      const w = window as Win;
      const m = await w.nb.models.load('indexeddb://small');
      return { predictions: w.predict(m), compiled: !!m.compiled };
    });
    expect(loaded.predictions).toEqual(saved.predictions);
    expect(loaded.compiled).toBe(true);
  });

  it("README's browser snippet runs: trains on wasm, saves to IndexedDB and loads it back", async () => {
    const readme = await browser.newPage();
    const errors: string[] = [];
    readme.on('pageerror', (e) => errors.push(e.message));
    await readme.goto(`${url}readme`);
    await readme.waitForFunction(() => (window as Win).__readme !== undefined, undefined, { timeout: 60_000 }).catch(() => undefined);
    const r = await readme.evaluate(() => (window as Win).__readme);
    await readme.close();
    expect(errors).toEqual([]);
    expect(r).toEqual({ backend: 'wasm', layers: 2, same: true });
  });

  it('indexeddb:// in TF.js format, and a name never saved is a clear error', async () => {
    const r = await page.evaluate(async () => {
      const w = window as Win;
      const m = w.makeModel(2);
      await m.save('indexeddb://as-tfjs', { format: 'tfjs' });
      const back = await w.nb.models.load('indexeddb://as-tfjs');
      const missing = await w.nb.models.load('indexeddb://never-saved').then(() => 'loaded', (e: Error) => e.message);
      return { same: JSON.stringify(w.predict(back)) === JSON.stringify(w.predict(m)), missing };
    });
    expect(r.same).toBe(true);
    expect(r.missing).toMatch(/no model saved under 'indexeddb:\/\/never-saved'/);
  });

  it('a save cut short by leaving the page leaves the earlier model or the new one, whole', async () => {
    const [a, b] = await page.evaluate(async () => {
      const w = window as Win;
      const first = w.makeModel(3);
      await first.save('indexeddb://interrupted');
      return [w.predict(first), w.predict(w.makeModel(4))];
    });
    // Start the second save and navigate away at once, before its transaction can finish.
    await page.evaluate(() => {
      const w = window as Win;
      void w.makeModel(4).save('indexeddb://interrupted');
      location.reload();
    });
    await page.waitForFunction(() => (window as Win).ready === true, undefined, { timeout: 60_000 });
    const after = await page.evaluate(async () => (window as Win).predict(await (window as Win).nb.models.load('indexeddb://interrupted')));
    expect([JSON.stringify(a), JSON.stringify(b)]).toContain(JSON.stringify(after));
  });

  it('a save whose transaction aborts is an error, and the model saved before stays whole', async () => {
    const r = await page.evaluate(async () => {
      const w = window as Win;
      const first = w.makeModel(6);
      await first.save('indexeddb://aborted');
      // The browser gives up on the transaction after the record was put (as on a full quota).
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
        const request = put.apply(this, args);
        this.transaction.abort();
        return request;
      };
      const error = await w.makeModel(7).save('indexeddb://aborted').then(() => 'saved', (e: Error) => e.message);
      IDBObjectStore.prototype.put = put;
      const back = await w.nb.models.load('indexeddb://aborted');
      return { error, same: JSON.stringify(w.predict(back)) === JSON.stringify(w.predict(first)) };
    });
    expect(r.error).toMatch(/model\.save: IndexedDB did not store 'indexeddb:\/\/aborted' .*; the model saved there before, if any, is unchanged/);
    expect(r.same).toBe(true);
  });

  it('downloads:// offers model.json and the weights, which load back in Node with the same predictions', async () => {
    const downloads: Promise<unknown>[] = [];
    const files: string[] = [];
    const onDownload = (d: import('playwright-core').Download) => {
      files.push(d.suggestedFilename());
      downloads.push(d.saveAs(join(root, 'downloaded', d.suggestedFilename())));
    };
    page.on('download', onDownload);
    const predictions = await page.evaluate(async () => {
      const w = window as Win;
      const m = w.makeModel(5);
      await m.save('downloads://digits');
      return w.predict(m);
    });
    await expect.poll(() => files.length, { timeout: 20_000 }).toBe(2);
    await Promise.all(downloads);
    page.off('download', onDownload);
    expect(files.sort()).toEqual(['digits.json', 'digits.weights.safetensors']);
    const loaded = await nb.models.load(join(root, 'downloaded', 'digits.json'));
    const values = [...(loaded.predict(nb.tensor([[0.5, -1, 2, 0.25], [1, 1, -0.5, 0]])) as nb.Tensor).dataSync()];
    values.forEach((v, i) => expect(v).toBeCloseTo(predictions[i]!, 5));
  });

  it('loads a model (nabla and TF.js formats) and an ONNX file by URL relative to the page', async () => {
    nb.random.seed(9);
    const model = new nb.Sequential([new nb.layers.Dense(6, { inputShape: [4], activation: 'tanh' }), new nb.layers.Dense(3)]);
    await model.save(join(root, 'served', 'nabla'));
    await model.save(join(root, 'served', 'tfjs'), { format: 'tfjs' });
    await nb.onnx.save(model, join(root, 'served', 'm.onnx'), { inputShapes: [[2, 4]] });
    const expected = [...(model.predict(nb.tensor([[0.5, -1, 2, 0.25], [1, 1, -0.5, 0]])) as nb.Tensor).dataSync()];
    const r = await page.evaluate(async () => {
      const w = window as Win;
      const nabla = w.predict(await w.nb.models.load('served/nabla/model.json'));
      const tfjs = w.predict(await w.nb.models.load(new URL('served/tfjs/model.json', location.href).href));
      const onnx = Array.from((await w.nb.onnx.load('served/m.onnx')).predict(w.input()).dataSync());
      const missing = await w.nb.models.load('served/none/model.json').then(() => 'loaded', (e: Error) => e.message);
      return { nabla, tfjs, onnx, missing };
    });
    for (const got of [r.nabla, r.tfjs, r.onnx]) got.forEach((v: number, i: number) => expect(v).toBeCloseTo(expected[i]!, 5));
    expect(r.missing).toMatch(/fetching http:\/\/127\.0\.0\.1:\d+\/served\/none\/model\.json gave HTTP 404/);
  });
});
