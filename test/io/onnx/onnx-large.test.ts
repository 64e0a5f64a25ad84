// torchvision architectures (ResNet-18, MobileNetV3-small, a small ViT) against onnxruntime. The
// files are tens of MB, so they are not committed: `scripts/make-onnx-fixtures.py --large DIR` makes
// them (with python3-torchvision) and NABLA_ONNX_LARGE=DIR runs this file on them.
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import * as nb from '../../../src/index.js';
import { maxRelError, seededFloats, type Fixture } from './onnx-fixtures.js';

const dir = process.env.NABLA_ONNX_LARGE;
const manifest: Fixture[] = dir ? JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) : [];

describe.skipIf(!dir)('onnx import of torchvision models (NABLA_ONNX_LARGE)', () => {
  for (const fixture of manifest) {
    it(`${fixture.file} matches onnxruntime`, async () => {
      const file = path.join(dir!, fixture.file);
      const shape = fixture.shapes[0]![0]!;
      const data = seededFloats(shape.reduce((a, b) => a * b, 1), 3);
      const session = await ort.InferenceSession.create(file);
      const want = (await session.run({ x: new ort.Tensor('float32', data, shape) })).y!;
      const model = await nb.onnx.load(file);
      const got = model.predict(nb.tensor(data, shape)) as nb.Tensor;
      expect(got.shape).toEqual([...want.dims]);
      expect(Math.max(...Array.from(want.data as Float32Array, Math.abs))).toBeGreaterThan(0.1);
      expect(maxRelError(got.dataSync(), want.data as Float32Array)).toBeLessThan(1e-4);
    }, 120_000);
  }
});
