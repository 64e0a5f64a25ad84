// ONNX import on webgpu: every PyTorch-exported fixture gives onnxruntime's outputs (read back
// asynchronously), eagerly and under nb.jit (many-ops.onnx's long elementwise chain checks that a
// fused loop stays within WebGPU's 16 storage buffers).
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { FIXTURES, MANIFEST, maxRelError, ortOutputs, seededFloats } from '../io/onnx/onnx-fixtures.js';
import { startWebGpu } from './gpu-test-utils.js';

const started = await startWebGpu();

if (started === true) {
  describe('onnx import on webgpu', () => {
    for (const fixture of MANIFEST) {
      it(`${fixture.file} matches onnxruntime`, async () => {
        await nb.setBackend('webgpu');
        try {
          const model = await nb.onnx.load(FIXTURES + fixture.file);
          const jitted = nb.jit((x: nb.Tensor) => model.run(x));
          for (const shapes of fixture.shapes) {
            const raw = Object.fromEntries(fixture.inputs.map((name, i) => [name, { data: seededFloats(shapes[i]!.reduce((a, b) => a * b, 1), 7 + i), shape: shapes[i]! }]));
            const want = await ortOutputs(fixture.file, raw);
            const feeds = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, nb.tensor(v.data, v.shape)]));
            const eager = model.predict(feeds);
            const traced = fixture.inputs.length === 1 ? jitted(feeds[fixture.inputs[0]!]!) : null;
            for (const [i, name] of model.outputNames.entries()) {
              expect(maxRelError(Array.from(await eager[name]!.data(), Number), want[name]!.data), `${fixture.file} ${name}`).toBeLessThan(1e-4);
              if (traced) expect(maxRelError(Array.from(await traced[i]!.data(), Number), want[name]!.data), `jit ${fixture.file} ${name}`).toBeLessThan(1e-4);
            }
          }
        } finally {
          await nb.setBackend('native').catch(() => nb.setBackend('js'));
        }
      });
    }
  });
} else {
  describe('onnx import on webgpu (no adapter here)', () => {
    it('setBackend rejected with a reason', () => {
      expect(started.message).toMatch(/webgpu/);
    });
  });
}
