// TensorFlow.js layers-model format: model.json ({modelTopology, weightsManifest}) and binary
// weight shards holding the weights back to back, little-endian, optionally quantized.
import { DTypeError, ValueError } from '../errors.js';
import { deserializeLayer, serializeLayer } from '../nn/layers/registry.js';
import { withWeightBudget } from '../nn/weight-budget.js';
import type { Model } from '../models/model.js';
import type { Layer } from '../nn/layers/layer.js';
import { DepthwiseConv2D } from '../nn/layers/conv.js';
import { Bidirectional, TimeDistributed } from '../nn/layers/wrappers.js';
import { RNN } from '../nn/layers/rnn.js';
import { StackedRNNCells } from '../nn/layers/rnn-cells.js';
import type { Variable } from '../autograd/variable.js';
import type { Trainer } from '../training/trainer.js';
import { tensor } from '../ops/creation.js';
import type { DType, TypedArray } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { generationName, newGeneration, writeModelDir } from './atomic-dir.js';
import { halfArrayToFloat32 } from './half-float.js';
import { modelFromKeras, modelToKeras } from './keras-json.js';
import { readLittleEndian, toLittleEndianBytes } from './little-endian.js';
import { assignByName, namedWeights } from './named-weights.js';
import { assertWritable, type EncodedModel } from './nabla-format.js';
import { isPlainObject } from './config-checks.js';
import { NABLA_VERSION } from './version.js';

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number; original_dtype?: string };
}

export interface TfjsModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology: unknown;
  weightsManifest?: { paths: string[]; weights: TfjsWeightSpec[] }[];
}

export const TFJS_SHARD = 'group1-shard1of1.bin';

const PLAIN: Record<string, { bytes: number; dtype: DType; read: (b: Uint8Array, at: number, n: number) => TypedArray }> = {
  float32: { bytes: 4, dtype: 'float32', read: (b, at, n) => readLittleEndian(Float32Array, b, at, n) },
  int32: { bytes: 4, dtype: 'int32', read: (b, at, n) => readLittleEndian(Int32Array, b, at, n) },
  bool: { bytes: 1, dtype: 'bool', read: (b, at, n) => new Uint8Array(b.subarray(at, at + n)) },
};
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

/**
 * Check a weights manifest's structure (groups of {paths, weights}, each weight's name, shape, dtype
 * and quantization) and return the bytes each group's weights need, before any file is read.
 */
export function checkTfjsManifest(manifest: unknown, source: string): number[] {
  if (manifest === undefined) return [];
  const bad = (field: string, value: unknown, expected: string) => {
    const shown = JSON.stringify(value)?.slice(0, 80);
    return new ValueError(`TF.js weights: ${source} has ${field} ${shown ?? 'missing'}; expected ${expected}`);
  };
  if (!Array.isArray(manifest)) throw bad('weightsManifest', manifest, 'a list of {paths, weights} groups');
  return manifest.map((group: unknown, g) => {
    if (!isPlainObject(group)) throw bad(`weightsManifest[${g}]`, group, 'an object {paths, weights}');
    const { paths, weights } = group;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string' && p !== '')) throw bad(`weightsManifest[${g}].paths`, paths, 'a list of file names');
    if (!Array.isArray(weights)) throw bad(`weightsManifest[${g}].weights`, weights, 'a list of {name, shape, dtype}');
    let bytes = 0;
    weights.forEach((spec: unknown, i) => {
      const field = `weightsManifest[${g}].weights[${i}]`;
      if (!isPlainObject(spec) || typeof spec.name !== 'string') throw bad(field, spec, 'an object {name, shape, dtype}');
      if (!Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
        throw new ValueError(`TF.js weights: '${spec.name}' in ${source} has shape ${JSON.stringify(spec.shape)}; expected non-negative integers`);
      }
      const plain = typeof spec.dtype === 'string' && Object.hasOwn(PLAIN, spec.dtype) ? PLAIN[spec.dtype]! : null;
      if (!plain) throw new DTypeError(`TF.js weights: '${spec.name}' in ${source} has dtype '${String(spec.dtype)}'; nabla reads float32, int32 and bool`);
      const q = spec.quantization as TfjsWeightSpec['quantization'] | undefined;
      if (q !== undefined && !(isPlainObject(q) && Object.hasOwn(QUANTIZED_BYTES, q.dtype))) {
        throw new DTypeError(`TF.js weights: '${spec.name}' in ${source} is quantized as ${JSON.stringify(q)?.slice(0, 80)}; nabla reads uint8, uint16 and float16`);
      }
      bytes += (spec.shape as number[]).reduce((a, b) => a * b, 1) * (q ? QUANTIZED_BYTES[q.dtype]! : plain.bytes);
    });
    if (!Number.isSafeInteger(bytes)) throw bad(`weightsManifest[${g}].weights`, '(sizes)', 'weights of a size a file can have');
    return bytes;
  });
}

/** The tensors of a weights manifest, read from its shards (each group's shards are concatenated). */
export function decodeTfjsWeights(manifest: TfjsModelJson['weightsManifest'], shards: Uint8Array[], source: string): Record<string, Tensor> {
  checkTfjsManifest(manifest, source);
  const out: [string, Tensor][] = [];
  let shardIndex = 0;
  for (const group of manifest ?? []) {
    const parts = shards.slice(shardIndex, shardIndex + group.paths.length);
    shardIndex += group.paths.length;
    const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (data.set(p, at), at + p.length), 0);
    let at = 0;
    for (const spec of group.weights) {
      if (!Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
        throw new ValueError(`TF.js weights: '${spec.name}' in ${source} has shape ${JSON.stringify(spec.shape)}; expected non-negative integers`);
      }
      const n = spec.shape.reduce((a, b) => a * b, 1);
      const plain = PLAIN[spec.dtype];
      if (!plain) throw new DTypeError(`TF.js weights: '${spec.name}' in ${source} has dtype '${spec.dtype}'; nabla reads float32, int32 and bool`);
      const q = spec.quantization;
      if (q && !QUANTIZED_BYTES[q.dtype]) throw new DTypeError(`TF.js weights: '${spec.name}' in ${source} is quantized as '${q.dtype}'; nabla reads uint8, uint16 and float16`);
      const width = q ? QUANTIZED_BYTES[q.dtype]! : plain.bytes;
      if (at + n * width > data.length) {
        throw new ValueError(`TF.js weights: '${spec.name}' in ${source} needs bytes ${at}..${at + n * width} but the shards hold ${data.length} (truncated .bin?)`);
      }
      const values = q ? dequantize(q, data, at, n, plain.dtype) : plain.read(data, at, n);
      out.push([spec.name, tensor(values, spec.shape, plain.dtype)]);
      at += n * width;
    }
    if (at !== data.length) throw new ValueError(`TF.js weights: ${source} has ${data.length - at} bytes after the last weight of its manifest group; manifest and shards do not match`);
  }
  return Object.fromEntries(out);
}

/** TF.js's affine quantization: value = q * scale + min; float16 is a plain half float. */
function dequantize(q: NonNullable<TfjsWeightSpec['quantization']>, data: Uint8Array, at: number, n: number, dtype: DType): TypedArray {
  if (q.dtype === 'float16') return halfArrayToFloat32(readLittleEndian(Uint16Array, data, at, n));
  const codes = q.dtype === 'uint8' ? data.subarray(at, at + n) : readLittleEndian(Uint16Array, data, at, n);
  const scale = q.scale ?? 1;
  const min = q.min ?? 0;
  const values = dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = dtype === 'int32' ? Math.round(codes[i]! * scale + min) : codes[i]! * scale + min;
  return values;
}

/** Build the nabla model a TF.js model.json describes and give it the shards' weights. */
export function loadTfjsModel(json: TfjsModelJson, shards: Uint8Array[], source: string): Model {
  const weights = decodeTfjsWeights(json.weightsManifest, shards, source);
  // The layers may create no more weight values than the shards hold (checked before each allocation).
  const fileValues = Object.values(weights).reduce((n, t) => n + t.size, 0);
  const model = withWeightBudget(fileValues, `nb.models.load (${source})`, () => deserializeLayer(modelFromKeras(json.modelTopology)) as Model);
  const named = namedWeights(model);
  const kerasNames = tfjsWeightNames(model);
  // TF.js may prefix weight names with outer scopes; a weight matches its path or its TF.js name,
  // exactly or as the end of a scoped name ("outer/path").
  const values: Record<string, Tensor> = {};
  const names = Object.keys(weights);
  for (const [path, v] of named) {
    const candidates = [path, kerasNames.get(v)].filter((c): c is string => c !== undefined);
    const hit = candidates.find((c) => weights[c]) ?? names.find((n) => candidates.some((c) => n.endsWith(`/${c}`)));
    if (hit) values[path] = weights[hit]!;
  }
  const used = new Set(Object.values(values));
  for (const [n, t] of Object.entries(weights)) if (!used.has(t)) values[n] = t;
  assignByName('nb.models.load (TF.js)', named, values, source);
  return model;
}

/** Write `model` in the TF.js layers-model format (model.json + one weight shard, `group1-shard1of1.<generation>.bin`), atomically. */
export async function saveTfjsModel(model: Trainer, dir: string): Promise<void> {
  const gen = await newGeneration();
  const { json, files } = await encodeTfjsModel(model, generationName(TFJS_SHARD, gen));
  await writeModelDir(dir, gen, files, json, 'model.save');
}

/** model.json in TF.js's layers-model format and its one weight shard, named `shard`. */
export async function encodeTfjsModel(model: Trainer, shard: string): Promise<EncodedModel> {
  const config = serializeLayer(model);
  assertWritable(config, model.name);
  const topology = modelToKeras(config);
  const named = namedWeights(model);
  const kerasNames = tfjsWeightNames(model);
  // TF.js has no float64 weights: they are written as float32.
  const dtypeOf = (d: DType) => (d === 'float64' ? 'float32' : d);
  const values = await Promise.all(named.map(([, v]) => v.data()));
  const chunks = named.map(([, v], i) => toLittleEndianBytes(v.dtype === 'float64' ? Float32Array.from(values[i]!) : values[i]!));
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  chunks.reduce((at, c) => (bytes.set(c, at), at + c.length), 0);
  const json: TfjsModelJson = {
    format: 'layers-model',
    generatedBy: `nabla ${NABLA_VERSION}`,
    convertedBy: null,
    modelTopology: { ...topology, keras_version: `nabla ${NABLA_VERSION}`, backend: 'nabla' },
    weightsManifest: [{ paths: [shard], weights: named.map(([path, v]) => ({ name: kerasNames.get(v) ?? path, shape: [...v.shape], dtype: dtypeOf(v.dtype) })) }],
  };
  return { json: JSON.stringify(json), files: [[shard, bytes]] };
}

/**
 * Weights that TF.js names differently from nabla: those of wrapped layers (scoped by the wrapper)
 * and DepthwiseConv2D's kernel (`depthwise_kernel`); other weights keep their paths.
 */
function tfjsWeightNames(root: Layer): Map<Variable, string> {
  const names = new Map<Variable, string>();
  const rename = (inner: Layer, prefix: string) => {
    for (const w of inner.weights) names.set(w, `${prefix}/${w.name.startsWith(`${inner.name}/`) ? w.name.slice(inner.name.length + 1) : w.name}`);
  };
  const visit = (l: Layer) => {
    if (l instanceof Bidirectional) {
      rename(l.forwardLayer, `${l.name}/forward_${l.forwardLayer.name}`);
      rename(l.backwardLayer, `${l.name}/backward_${l.forwardLayer.name}`);
    } else if (l instanceof TimeDistributed) rename(l.layer, l.name);
    else if (l instanceof DepthwiseConv2D) names.set(l.kernel, `${l.name}/depthwise_kernel`);
    // TF.js scopes a cell's weights by the RNN, and those of stacked cells by RNNCell_<i> inside it.
    else if (l instanceof RNN) {
      if (l.cell instanceof StackedRNNCells) l.cell.cells.forEach((c, i) => rename(c, `${l.name}/RNNCell_${i}`));
      else rename(l.cell, l.name);
    }
    else for (const s of l.sublayers()) visit(s);
  };
  visit(root);
  return names;
}
