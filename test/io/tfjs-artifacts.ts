// Shared by the TF.js interchange tests: TF.js models captured as TF.js saves them, written as its
// file handler writes them, and predictions of both libraries on the same inputs.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import * as nb from '../../src/index.js';

/** A temporary folder per call, all removed after the test file. */
export function tempDirs(prefix: string): () => string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let count = 0;
  return () => {
    const d = join(root, `m${count++}`);
    mkdirSync(d);
    return d;
  };
}

export interface WeightSpec { name: string; shape: number[]; dtype: string; quantization?: { dtype: string; scale?: number; min?: number } }
export interface Artifacts { modelTopology: object; weightSpecs: WeightSpec[]; weightData: ArrayBuffer }

/** What TF.js's own save produces, captured in memory. */
export async function capture(model: tf.LayersModel): Promise<Artifacts> {
  let captured: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (a) => {
    captured = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const a = captured! as tf.io.ModelArtifacts;
  const data = Array.isArray(a.weightData) ? tf.io.concatenateArrayBuffers(a.weightData) : a.weightData!;
  return { modelTopology: a.modelTopology as object, weightSpecs: a.weightSpecs as WeightSpec[], weightData: data };
}

/** Write artifacts into `dir` as TF.js's file handler does: model.json + group1-shard1of1.bin. */
export function writeArtifacts(a: Artifacts, dir: string): string {
  const json = { format: 'layers-model', generatedBy: 'TensorFlow.js tfjs-layers v4.22.0', convertedBy: null, modelTopology: a.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }] };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  writeFileSync(join(dir, 'group1-shard1of1.bin'), new Uint8Array(a.weightData));
  return dir;
}

/** Random weights in TF.js (positive where a variance is expected), so that no weight is left at a trivial value. */
export function randomizeTf(model: tf.LayersModel, seed: number): void {
  model.setWeights(model.weights.map((w, i) => (w.name.includes('variance') ? tf.randomUniform(w.shape as number[], 0.5, 1.5, 'float32', seed + i) : tf.randomNormal(w.shape as number[], 0, 0.5, 'float32', seed + i))));
}

export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[i]!)));
}

export function tfPredict(model: tf.LayersModel, xs: tf.Tensor[]): number[] {
  const out = model.predict(xs.length === 1 ? xs[0]! : xs) as tf.Tensor | tf.Tensor[];
  return (Array.isArray(out) ? out : [out]).flatMap((t) => [...t.dataSync()]);
}

export function nbPredict(model: nb.Model, xs: nb.Tensor[]): number[] {
  const out = model.predict((xs.length === 1 ? xs[0]! : xs) as nb.Tensor) as nb.Tensor | nb.Tensor[];
  return (Array.isArray(out) ? out : [out]).flatMap((t) => [...t.dataSync()]);
}

/** Same inputs for both libraries: floats in [-1, 1), or integers in [0, ints). */
export function inputs(shapes: number[][], seed: number, ints?: number): { tfx: tf.Tensor[]; nbx: nb.Tensor[] } {
  const arrays = shapes.map((s, k) => {
    const n = s.reduce((a, b) => a * b, 1);
    const r = nb.random.uniform([n], { min: ints ? 0 : -1, max: ints ?? 1, seed: seed + k }).dataSync();
    return ints ? Int32Array.from(r, Math.floor) : Float32Array.from(r);
  });
  return {
    tfx: arrays.map((a, k) => tf.tensor(a, shapes[k]!, ints ? 'int32' : 'float32')),
    nbx: arrays.map((a, k) => nb.tensor(a, shapes[k]!, ints ? 'int32' : 'float32')),
  };
}
