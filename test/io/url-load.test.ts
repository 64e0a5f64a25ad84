// nb.models.load and nb.onnx.load from http URLs (fetch), against a server started here that serves
// a temporary folder: nabla's format and TF.js's, the folder URL form, and clear errors for a
// missing file, a weight path leaving the folder, a short file; and the browser-only schemes in Node.
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'nabla-url-'));
let server: Server;
let base: string;
const requested: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url!, 'http://x').pathname));
    requested.push(path);
    try {
      const body = readFileSync(join(root, path));
      res.writeHead(200, { 'content-length': body.length }).end(body);
    } catch {
      res.writeHead(404, 'Not Found').end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server?.close();
  rmSync(root, { recursive: true, force: true });
});

function makeModel(): nb.Sequential {
  nb.random.seed(3);
  const model = new nb.Sequential([new nb.layers.Dense(5, { inputShape: [4], activation: 'relu' }), new nb.layers.Dense(3, { activation: 'softmax' })]);
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  return model;
}
const x = () => nb.random.normal([2, 4], { seed: 11 });
const predict = (m: nb.Model) => [...(m.predict(x()) as nb.Tensor).dataSync()];

describe('nb.models.load from an http URL', () => {
  it.each(['nabla', 'tfjs'] as const)('loads the %s format from model.json with the same predictions', async (format) => {
    const model = makeModel();
    await model.save(join(root, format), { format });
    const loaded = await nb.models.load(`${base}/${format}/model.json`);
    expect(predict(loaded)).toEqual(predict(model));
    expect(requested.some((p) => p.startsWith(`/${format}/`) && p !== `/${format}/model.json`)).toBe(true);
  });

  it('takes the folder URL as well (model.json inside it)', async () => {
    const model = makeModel();
    await model.save(join(root, 'folder'));
    const loaded = await nb.models.load(`${base}/folder/`);
    expect(predict(loaded)).toEqual(predict(model));
    expect((loaded as nb.Sequential).compiled).toBeTruthy();
  });

  it('a missing model.json is an error naming the URL and the status', async () => {
    await expect(nb.models.load(`${base}/nothing/model.json`)).rejects.toThrow(new RegExp(`nb.models.load: fetching ${base}/nothing/model.json gave HTTP 404`));
  });

  it('refuses a TF.js weight path leaving the model folder, and shards shorter than the manifest', async () => {
    const model = makeModel();
    await model.save(join(root, 'evil'), { format: 'tfjs' });
    const json = JSON.parse(readFileSync(join(root, 'evil', 'model.json'), 'utf8'));
    const shard = json.weightsManifest[0].paths[0];
    json.weightsManifest[0].paths[0] = `../secret/${shard}`;
    writeFileSync(join(root, 'evil', 'model.json'), JSON.stringify(json));
    await expect(nb.models.load(`${base}/evil/model.json`)).rejects.toThrow(/weightsManifest\[0\]\.paths\[0\] '\.\.\/secret\/.*' of .* points outside the model's folder/);

    json.weightsManifest[0].paths[0] = 'short.bin';
    writeFileSync(join(root, 'evil', 'model.json'), JSON.stringify(json));
    writeFileSync(join(root, 'evil', 'short.bin'), new Uint8Array(10));
    await expect(nb.models.load(`${base}/evil/model.json`)).rejects.toThrow(/short\.bin of .*evil\/model\.json hold 10 bytes but its model\.json declares \d+/);
  });


  it('refuses a nabla weights file of another size than model.json declares', async () => {
    const model = makeModel();
    await model.save(join(root, 'cut'));
    const json = JSON.parse(readFileSync(join(root, 'cut', 'model.json'), 'utf8'));
    const weights = join(root, 'cut', json.weightsFile);
    writeFileSync(weights, readFileSync(weights).subarray(0, 100));
    await expect(nb.models.load(`${base}/cut/model.json`)).rejects.toThrow(/weights\..*\.safetensors of .*cut\/model\.json hold 100 bytes but its model\.json declares \d+/);
  });
});

describe('nb.onnx.load from an http URL', () => {
  it('fetches the .onnx file and runs it as the model it was exported from', async () => {
    const model = makeModel();
    mkdirSync(join(root, 'onnx'), { recursive: true });
    await nb.onnx.save(model, join(root, 'onnx', 'm.onnx'), { inputShapes: [[2, 4]] });
    const onnx = await nb.onnx.load(`${base}/onnx/m.onnx`);
    const out = onnx.predict(x()) as nb.Tensor;
    [...out.dataSync()].forEach((v, i) => expect(v).toBeCloseTo(predict(model)[i]!, 5));
  });

  it('a missing file names the URL', async () => {
    await expect(nb.onnx.load(`${base}/onnx/none.onnx`)).rejects.toThrow(/onnx\.load: fetching .*none\.onnx gave HTTP 404/);
  });
});

describe('browser schemes outside a browser', () => {
  it('indexeddb:// and downloads:// say what they need; other schemes are refused', async () => {
    const model = makeModel();
    await expect(model.save('indexeddb://m')).rejects.toThrow(/model\.save: indexeddb:\/\/ needs a browser's IndexedDB/);
    await expect(nb.models.load('indexeddb://m')).rejects.toThrow(/nb\.models\.load: indexeddb:\/\/ needs a browser's IndexedDB/);
    await expect(model.save('downloads://m')).rejects.toThrow(/model\.save: downloads:\/\/ needs a web page/);
    await expect(model.save('indexeddb://')).rejects.toThrow(/needs a model name after it/);
    await expect(model.save('s3://bucket/m')).rejects.toThrow(/cannot save to 's3:\/\/bucket\/m'/);
    await expect(nb.models.load('downloads://m')).rejects.toThrow(/'downloads:\/\/' is for saving/);
  });
});
