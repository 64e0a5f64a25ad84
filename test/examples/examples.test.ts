// Every example runs in quick mode and must print a RESULT line whose numbers meet the stated bounds.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

/** Per example: a check of its RESULT values. */
const bounds: Record<string, (r: Record<string, string>) => void> = {
  '01-tensors': (r) => expect(Number(r.sum)).toBe(10),
  '02-variables': (r) => expect(r.same).toBe('true'),
  '03-gradients': (r) => expect(Number(r.d2)).toBe(12),
  '04-linear-regression': (r) => {
    expect(Number(r.werr)).toBeLessThan(0.1);
    expect(Number(r.berr)).toBeLessThan(0.1);
  },
  '05-jit': (r) => {
    expect(Number(r.diff)).toBeLessThan(1e-5);
    expect(Number(r.traces)).toBe(1);
  },
  '06-dataset': (r) => {
    expect(Number(r.werr)).toBeLessThan(0.1);
    expect(Number(r.berr)).toBeLessThan(0.1);
  },
  '07-tumours': (r) => {
    expect(Number(r.synthetic)).toBeGreaterThan(0.8);
    expect(Number(r.real)).toBeGreaterThan(0.9);
  },
  '08-optimizers': (r) => {
    for (const k of ['SGD', 'Adam', 'RMSprop']) expect(Number(r[k]), k).toBeGreaterThan(0.8);
  },
  '09-keras-functional': (r) => expect(Number(r.accuracy)).toBeGreaterThan(0.85),
  '10-keras-sequential': (r) => expect(Number(r.accuracy)).toBeGreaterThan(0.8),
  '11-multiclass': (r) => {
    expect(Number(r.categorical)).toBeGreaterThan(0.75);
    expect(Number(r.sparse)).toBeGreaterThan(0.75);
  },
  '12-mnist': (r) => {
    expect(Number(r.dense)).toBeGreaterThan(0.85);
    expect(Number(r.cnn)).toBeGreaterThan(0.8);
  },
  '13-custom-layer': (r) => expect(Number(r.loss)).toBeLessThan(0.01),
  'fft-denoise': (r) => {
    // Noise of rms 0.5; keeping 20 of 129 bins leaves about 0.5 * sqrt(20 / 128) = 0.2 of it.
    expect(Number(r.noisy)).toBeGreaterThan(0.45);
    expect(Number(r.lowpass)).toBeLessThan(0.25);
    expect(Number(r.learned)).toBeLessThan(0.25);
    expect(Math.abs(Number(r.highgain))).toBeLessThan(0.1);
  },
  'gaussian-process': (r) => {
    expect(Number(r.lml)).toBeGreaterThan(Number(r.lml0) + 10);
    expect(Number(r.rmse)).toBeLessThan(0.1);
    expect(Number(r.rmse)).toBeLessThan(Number(r.rmse0));
  },
  'per-example-gradients': (r) => {
    expect(Number(r.diff)).toBeLessThan(1e-5);
    expect(Number(r.accuracy)).toBeGreaterThan(0.9);
    // Clipping must have acted on some examples, or the example shows nothing.
    expect(Number(r.clipped)).toBeGreaterThan(0);
  },
  // Keras's tutorials, as a TypeScript user writes them (examples/tutorials/).
  'tutorials/mnist-convnet': (r) => {
    expect(Number(r.accuracy)).toBeGreaterThan(0.8);
    expect(Number(r.loss)).toBeLessThan(0.7);
  },
  'tutorials/fashion-mnist': (r) => {
    expect(Number(r.accuracy)).toBeGreaterThan(0.75);
    // The softmax wrapped around the logits model gives probabilities.
    expect(Number(r.probsum)).toBeLessThan(1e-5);
  },
  'tutorials/fuel-efficiency': (r) => {
    // Mean absolute errors in mpg on held-out rows: both models beat predicting the mean, the DNN
    // on every feature beats the line on horsepower (the noise in the synthetic mpg has sd 1.5).
    expect(Number(r.linear)).toBeLessThan(0.8 * Number(r.baseline));
    expect(Number(r.dnn)).toBeLessThan(0.5 * Number(r.baseline));
    expect(Number(r.dnn)).toBeLessThan(Number(r.linear));
  },
  'tutorials/training-loop': (r) => {
    expect(Number(r.val)).toBeGreaterThan(0.85);
    expect(Number(r.train)).toBeGreaterThan(0.8);
    // The metric updated in the jitted step and reset each epoch counts what a direct count does.
    expect(Math.abs(Number(r.val) - Number(r.direct))).toBeLessThan(1e-6);
    expect(Number(r.traces)).toBe(1);
  },
  'tutorials/text-classification': (r) => {
    expect(Number(r.accuracy)).toBeGreaterThan(0.85);
    expect(Number(r.positive)).toBeGreaterThan(0.5);
    expect(Number(r.negative)).toBeLessThan(0.5);
  },
  'tutorials/save-and-load': (r) => {
    expect(Number(r.checkpoints)).toBe(5);
    expect(Number(r.trained)).toBeGreaterThan(0.8);
    expect(Number(r.untrained)).toBeLessThan(0.3);
    // Restored models evaluate exactly as the trained one.
    for (const k of ['restored', 'manual', 'loaded']) expect(Number(r[k]), k).toBe(Number(r.trained));
    // Continued training starts from the saved state: its first epoch's loss is near the last one's.
    expect(Number(r.firstloss)).toBeLessThan(2 * Number(r.lastloss));
    expect(Number(r.continued)).toBeGreaterThan(0.8);
  },
};

function parseResult(stdout: string): Record<string, string> {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no RESULT line in the output:\n${stdout.slice(-2000)}`);
  return Object.fromEntries(line.slice(7).trim().split(/\s+/).map((kv) => kv.split('=') as [string, string]));
}

// Data a fresh machine may lack (Debian packages that .ci/run installs): the example is skipped,
// with the package named, rather than failed.
const NEEDS: Record<string, { file: string; install: string }> = {
  'tutorials/fashion-mnist': { file: '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz', install: 'apt-get install dataset-fashion-mnist' },
};

describe('examples (quick mode)', () => {
  for (const [name, check] of Object.entries(bounds)) {
    const need = NEEDS[name];
    const missing = need !== undefined && !existsSync(need.file);
    it.skipIf(missing)(`${name} runs and meets its bounds${missing ? ` (skipped: no ${need!.file}; ${need!.install})` : ''}`, { timeout: 600_000 }, async () => {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', `examples/${name}.ts`, '--quick'], { cwd: root, maxBuffer: 1 << 24 });
      check(parseResult(stdout));
    });
  }
});
