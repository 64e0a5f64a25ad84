// Shared by the ONNX tests: the PyTorch-exported fixtures, seeded inputs, and onnxruntime's outputs.
import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import * as nb from '../../../src/index.js';

export const FIXTURES = new URL('../../fixtures/onnx/', import.meta.url).pathname;

export interface Fixture {
  file: string;
  inputs: string[];
  shapes: number[][][];
}

export const MANIFEST: Fixture[] = JSON.parse(fs.readFileSync(`${FIXTURES}manifest.json`, 'utf8'));

export function fixtureBytes(file: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(FIXTURES + file));
}

/** Uniform values in [-1, 1) from a seeded LCG, so a failure reproduces. */
export function seededFloats(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31) - 1);
}

/** A seeded NCHW image batch of `channels` x `size` x `size`, as onnxruntime's feed takes it. */
export function seededImage(batch: number, channels: number, size: number, seed: number): { data: Float32Array; shape: number[] } {
  const shape = [batch, channels, size, size];
  return { data: seededFloats(batch * channels * size * size, seed), shape };
}

/** The model's predict of `x`, compiled or eager, as plain numbers. */
export function predictValues(model: nb.onnx.OnnxModel, x: nb.Tensor, jitCompile: boolean): number[] {
  model.jitCompile = jitCompile;
  return Array.from((model.predict(x) as nb.Tensor).dataSync());
}

/** onnxruntime's outputs (CPU) for float32 feeds, by output name. */
export async function ortOutputs(file: string, feeds: Record<string, { data: Float32Array; shape: number[] }>): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
  const session = await ort.InferenceSession.create(FIXTURES + file);
  const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.shape)]));
  const out = await session.run(ortFeeds);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { data: Float32Array.from(v.data as Float32Array), dims: [...v.dims] }]));
}

/** max |got - want| / max(1, |want|): relative for large values, absolute near zero. */
export function maxRelError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)));
  return worst;
}
