// A model.json from someone else: one crafted file per attack. Weight paths that leave the folder,
// files that are not regular files or not of the declared size, architectures far larger than their
// weights, and malformed configs must each fail fast with a ValueError that says what is wrong.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'nabla-untrusted-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let count = 0;

// Dense(2) on 3 inputs, then Dense(1): 3*2 + 2 + 2*1 + 1 = 11 float32 values, 44 bytes.
const model = () => new nb.Sequential([new nb.layers.Dense(2, { inputShape: [3], name: 'a' }), new nb.layers.Dense(1, { name: 'b' })]);
let tfjsDir = '';
let nablaDir = '';
beforeAll(async () => {
  tfjsDir = join(root, 'tfjs-original');
  nablaDir = join(root, 'nabla-original');
  await model().save(tfjsDir, { format: 'tfjs' });
  await model().save(nablaDir);
});

type Json = Record<string, any>;

/** A copy of `original` whose model.json is changed by `edit` (which may also add files to the copy). */
function crafted(original: string, edit: (json: Json, dir: string) => void): string {
  const dir = join(root, `case-${count++}`);
  cpSync(original, dir, { recursive: true });
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Json;
  edit(json, dir);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  return dir;
}

const shardOf = (json: Json, dir: string) => readFileSync(join(dir, json.weightsManifest[0].paths[0]));
const setPath = (json: Json, p: string) => (json.weightsManifest[0].paths = [p]);

describe('TF.js weight paths stay inside the model folder', () => {
  it('the untouched copy loads (the cases below differ only by their attack)', async () => {
    const m = await nb.models.load(crafted(tfjsDir, () => undefined));
    expect(m.weights).toHaveLength(4);
  });

  it("refuses '..' out of the folder, even to a file of the right size", async () => {
    const dir = crafted(tfjsDir, (json, d) => {
      writeFileSync(join(root, 'outside.bin'), shardOf(json, d));
      setPath(json, '../outside.bin');
    });
    await expect(nb.models.load(dir)).rejects.toThrow(/paths\[0\].*'\.\.\/outside\.bin' points outside the model folder/);
  });

  it("refuses '../../dev/zero' (which would be read until memory runs out)", async () => {
    const dir = crafted(tfjsDir, (json) => setPath(json, '../'.repeat(12) + 'dev/zero'));
    await expect(nb.models.load(dir)).rejects.toThrow(/points outside the model folder/);
  });

  it('refuses absolute paths', async () => {
    for (const p of ['/etc/passwd', '/dev/zero', 'C:\\Windows\\win.ini']) {
      const dir = crafted(tfjsDir, (json) => setPath(json, p));
      await expect(nb.models.load(dir)).rejects.toThrow(/is an absolute path/);
    }
  });

  it('refuses a symlink inside the folder that points outside it, and accepts one that stays inside', async () => {
    const out = crafted(tfjsDir, (json, d) => {
      writeFileSync(join(root, 'outside2.bin'), shardOf(json, d));
      symlinkSync(join(root, 'outside2.bin'), join(d, 'link.bin'));
      setPath(json, 'link.bin');
    });
    await expect(nb.models.load(out)).rejects.toThrow(/'link\.bin' is a link to .*outside2\.bin', outside the model folder/);
    const zero = crafted(tfjsDir, (json, d) => {
      symlinkSync('/dev/zero', join(d, 'zero.bin'));
      setPath(json, 'zero.bin');
    });
    await expect(nb.models.load(zero)).rejects.toThrow(/outside the model folder/);
    const inside = crafted(tfjsDir, (json, d) => {
      mkdirSync(join(d, 'shards'));
      writeFileSync(join(d, 'shards', 'real.bin'), shardOf(json, d));
      symlinkSync('shards/real.bin', join(d, 'alias.bin'));
      setPath(json, 'alias.bin');
    });
    expect((await nb.models.load(inside)).weights).toHaveLength(4);
  });

  it('refuses a FIFO at once (no writer will ever come) and a folder', async () => {
    const fifo = crafted(tfjsDir, (json, d) => {
      execFileSync('mkfifo', [join(d, 'pipe.bin')]);
      setPath(json, 'pipe.bin');
    });
    await expect(nb.models.load(fifo)).rejects.toThrow(/'.*pipe\.bin' .*is not a regular file/);
    const folder = crafted(tfjsDir, (json, d) => {
      mkdirSync(join(d, 'sub.bin'));
      setPath(json, 'sub.bin');
    });
    await expect(nb.models.load(folder)).rejects.toThrow(/sub\.bin' .*is not a regular file/);
  }, 10_000);

  it('refuses shards whose size differs from what the manifest declares (longer too), before reading them', async () => {
    const longer = crafted(tfjsDir, (json, d) => {
      writeFileSync(join(d, 'big.bin'), new Uint8Array(1 << 20));
      setPath(json, 'big.bin');
    });
    await expect(nb.models.load(longer)).rejects.toThrow(/need 44 bytes, but its files \(big\.bin\) hold 1048576/);
  });
});

describe("nabla's weightsFile", () => {
  it('refuses a path, a symlink out of the folder, a FIFO and a size other than weightsBytes', async () => {
    const up = crafted(nablaDir, (json) => (json.weightsFile = '../x.safetensors'));
    await expect(nb.models.load(up)).rejects.toThrow(/names no weights file in its folder/);
    const dots = crafted(nablaDir, (json) => (json.weightsFile = '..'));
    await expect(nb.models.load(dots)).rejects.toThrow(/names no weights file in its folder/);
    const link = crafted(nablaDir, (json, d) => {
      cpSync(join(d, json.weightsFile), join(root, `w-${count}.safetensors`));
      symlinkSync(join(root, `w-${count}.safetensors`), join(d, 'w.safetensors'));
      json.weightsFile = 'w.safetensors';
    });
    await expect(nb.models.load(link)).rejects.toThrow(/is a link to .*, outside the model folder/);
    const fifo = crafted(nablaDir, (json, d) => {
      execFileSync('mkfifo', [join(d, 'p.safetensors')]);
      json.weightsFile = 'p.safetensors';
    });
    await expect(nb.models.load(fifo)).rejects.toThrow(/FIFO/);
    const size = crafted(nablaDir, (json) => (json.weightsBytes += 8));
    await expect(nb.models.load(size)).rejects.toThrow(/has \d+ bytes but \d+ are declared for it/);
  }, 10_000);
});

describe('architectures larger than their weights', () => {
  for (const format of ['nabla', 'tfjs'] as const) {
    it(`${format}: units 1e9 fails fast, naming the layer, before allocating`, async () => {
      const dir = crafted(format === 'nabla' ? nablaDir : tfjsDir, (json) => {
        const layers = format === 'nabla' ? json.modelConfig.config.layers : json.modelTopology.config.layers;
        layers.at(-1).config.units = 1e9;
      });
      // Without the check this allocates a [2, 1e9] float32 kernel (8 GB) before any shape is compared.
      await expect(nb.models.load(dir)).rejects.toThrow(/layer 'b' would create weight 'kernel' of shape \[2, 1000000000\].*holds 11 values in all/);
    });
  }

  it('a subclassed-model build shape of billions of values is refused', async () => {
    const dir = crafted(nablaDir, (json) => {
      json.modelConfig = { className: 'Model', config: {} };
      json.buildInputShape = [null, 100000, 100000];
    });
    await expect(nb.models.load(dir)).rejects.toThrow(nb.ValueError);
  });
});

describe('malformed configs give ValueErrors naming the file and the field', () => {
  const nablaCases: [string, (j: Json) => void, RegExp][] = [
    ['layers not a list', (j) => (j.modelConfig.config.layers = 'abc'), /modelConfig\.config\.layers "abc"; expected a list of layers/],
    ['a layer that is a number', (j) => (j.modelConfig.config.layers[1] = 5), /modelConfig\.config\.layers\[1\] 5; expected an object/],
    ['className not a string', (j) => (j.modelConfig.config.layers[0].className = 7), /modelConfig\.config\.layers\[0\]\.className 7/],
    ['batchInputShape a string', (j) => (j.modelConfig.config.layers[0].config.batchInputShape = 'x'), /layers\[0\]\.config\.batchInputShape "x"; expected a shape/],
    ['weightsBytes negative', (j) => (j.weightsBytes = -1), /weightsBytes -1/],
    ['buildInputShape a string', (j) => (j.buildInputShape = 'x'), /buildInputShape "x"/],
    ['compileConfig optimizer a number', (j) => (j.compileConfig = { optimizer: 5, loss: [] }), /compileConfig\.optimizer 5/],
    ['compileConfig loss not a list', (j) => (j.compileConfig = { optimizer: { className: 'SGD', config: {} }, loss: 'mse' }), /compileConfig\.loss "mse"/],
    ['includesOptimizer a string', (j) => (j.includesOptimizer = 'yes'), /includesOptimizer "yes"/],
  ];
  for (const [what, edit, message] of nablaCases) {
    it(`nabla: ${what}`, async () => {
      const dir = crafted(nablaDir, edit);
      const err = await nb.models.load(dir).then(() => null, (e: Error) => e);
      expect(err).toBeInstanceOf(nb.ValueError);
      expect(err!.message).toMatch(message);
      expect(err!.message).toContain(dir);
    });
  }

  it('functional models: inboundNodes, tensor references and layer names are checked', async () => {
    const x = nb.keras.Input([3]);
    const fn = new nb.Model({ inputs: x, outputs: new nb.layers.Dense(1, { name: 'd' }).apply(x) });
    const dir = join(root, 'functional');
    await fn.save(dir);
    const cases: [(j: Json) => void, RegExp][] = [
      [(j) => (j.modelConfig.config.layers[1].inboundNodes = 'x'), /layers\[1\]\.inboundNodes "x"/],
      [(j) => (j.modelConfig.config.layers[1].inboundNodes = [{ args: 5 }]), /layers\[1\]\.inboundNodes\[0\]\.args 5/],
      [(j) => (j.modelConfig.config.outputLayers = null), /outputLayers null/],
      [(j) => (j.modelConfig.config.layers[1].name = 3), /layers\[1\]\.name 3/],
    ];
    for (const [edit, message] of cases) await expect(nb.models.load(crafted(dir, edit))).rejects.toThrow(message);
    // A node that takes its input from itself: refused, not followed forever.
    const cyclic = crafted(dir, (j) => (j.modelConfig.config.layers[1].inboundNodes[0].args = [['d', 0, 0]]));
    await expect(nb.models.load(cyclic)).rejects.toThrow(/layer 'd' node 0 output 0 is not available/);
  });

  it('a config nested 100000 levels deep is refused without a stack overflow', async () => {
    const depth = 100_000;
    const dir = crafted(nablaDir, () => undefined);
    const json = readFileSync(join(dir, 'model.json'), 'utf8');
    writeFileSync(join(dir, 'model.json'), json.replace('"trainable"', `"deep": ${'['.repeat(depth)}${']'.repeat(depth)}, "trainable"`));
    await expect(nb.models.load(dir)).rejects.toThrow(/nests deeper than 200 levels/);
    const tf = crafted(tfjsDir, () => undefined);
    const tfJson = readFileSync(join(tf, 'model.json'), 'utf8');
    writeFileSync(join(tf, 'model.json'), tfJson.replace('"trainable"', `"deep": ${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}, "trainable"`));
    await expect(nb.models.load(tf)).rejects.toThrow(/nests deeper than 200 levels/);
  });

  it('TF.js: manifest, topology and node forms', async () => {
    const cases: [(j: Json) => void, RegExp][] = [
      [(j) => (j.weightsManifest = 'x'), /weightsManifest "x"; expected a list/],
      [(j) => (j.weightsManifest = [{ paths: 'a.bin', weights: [] }]), /weightsManifest\[0\]\.paths "a\.bin"/],
      [(j) => (j.weightsManifest[0].weights[0].shape = 'x'), /has shape "x"/],
      [(j) => (j.weightsManifest[0].weights[0].dtype = 'constructor'), /dtype 'constructor'/],
      [(j) => (j.modelTopology = { class_name: 'Sequential', config: null }), /a Sequential topology needs a list of layers/],
      [(j) => (j.modelTopology = { class_name: 'Model', config: { layers: [5], input_layers: [], output_layers: [] } }), /layers\[0\] of the functional topology must be \{class_name, config\}, got 5/],
      [(j) => (j.modelTopology.config.layers[0].config.units = 'many'), /Dense: units must be a positive integer, got many \(loading '.*model\.json'\)/],
    ];
    for (const [edit, message] of cases) await expect(nb.models.load(crafted(tfjsDir, edit))).rejects.toThrow(message);
  });
});
