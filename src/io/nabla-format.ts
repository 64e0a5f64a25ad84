// nabla's model format: a folder with model.json (architecture, compile settings, versions) and
// weights.safetensors (the model's weights by path name, the optimizer's state under `optimizer/`).
import { engine } from '../engine/engine.js';
import { ValueError } from '../errors.js';
import { deserializeLayer, serializeLayer } from '../nn/layers/registry.js';
import { withWeightBudget } from '../nn/weight-budget.js';
import type { Model } from '../models/model.js';
import type { SerializedObject } from '../nn/serialization.js';
import type { Shape } from '../nn/symbolic-tensor.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import type { Trainer } from '../training/trainer.js';
import { zeros } from '../ops/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { MODEL_JSON, generationName, newGeneration, writeModelDir } from './atomic-dir.js';
import { checkCompileConfig, checkLayerTree, fieldError, isPlainObject, isShapeLike } from './config-checks.js';
import { compileArgsFrom, compileConfigOf, type CompileConfig } from './compile-config.js';
import { assignByName, namedWeights, weightRecord } from './named-weights.js';
import { decodeSafetensors, encodeSafetensors, readToHost } from './safetensors-format.js';
import { MODEL_FORMAT_VERSION, NABLA_VERSION } from './version.js';

export { MODEL_JSON };
/** The weights file's name; each save writes it as `weights.<generation>.safetensors` (see atomic-dir.ts). */
export const WEIGHTS_FILE = 'weights.safetensors';
const OPTIMIZER_PREFIX = 'optimizer/';

export interface NablaModelJson {
  format: 'nabla-model';
  formatVersion: number;
  nablaVersion: string;
  /** Ties model.json to the weights file written with it. */
  saveId: string;
  modelConfig: SerializedObject;
  /** Input shape(s) the model was built for; used to create the weights of subclassed models. */
  buildInputShape: Shape | Shape[] | null;
  compileConfig: CompileConfig | null;
  weightsFile: string;
  /** The weights file's size, checked before it is read (absent in files of older nabla versions). */
  weightsBytes?: number;
  /** The optimizer's variables are in the weights file (under `optimizer/`). */
  includesOptimizer: boolean;
}

/** Options of `model.save`. */
export interface SaveOptions {
  /** 'nabla' (default): model.json + weights.safetensors; 'tfjs': TensorFlow.js layers-model. */
  format?: 'nabla' | 'tfjs';
  /** Save the optimizer's state so training resumes where it stopped (default true). */
  includeOptimizer?: boolean;
}

/** Options of `models.load`. */
export interface LoadOptions {
  /** Compile the model (and restore the optimizer's state) as it was saved; default true when it was compiled. */
  compile?: boolean;
}

/** A saved model as files: model.json's text and the weight files it names (name, bytes). */
export interface EncodedModel {
  json: string;
  files: [string, Uint8Array][];
}

/** Write `model` to the folder `dir`, replacing an earlier save atomically (see writeModelDir). */
export async function saveNablaModel(model: Trainer, dir: string, opts: SaveOptions = {}): Promise<void> {
  const saveId = await newGeneration();
  const { json, files } = await encodeNablaModel(model, opts, saveId, generationName(WEIGHTS_FILE, saveId));
  await writeModelDir(dir, saveId, files, json, 'model.save');
}

/** model.json and the weights file `weightsFile` of `model`, tied together by `saveId`. */
export async function encodeNablaModel(model: Trainer, opts: SaveOptions, saveId: string, weightsFile: string): Promise<EncodedModel> {
  const named = namedWeights(model);
  if (!model.built && named.length === 0) {
    throw new ValueError(`model.save: model '${model.name}' has no weights yet; call it on data (or build it) before saving`);
  }
  const modelConfig = serializeLayer(model);
  assertWritable(modelConfig, model.name);
  let compileConfig: CompileConfig | null = null;
  if (model.compiled) {
    const c = compileConfigOf(model.compiled);
    if ('unserializable' in c) console.warn(`model.save: the compile settings of '${model.name}' are not saved (${c.unserializable}); compile the loaded model yourself`);
    else compileConfig = c;
  }
  const optimizer = model.compiled?.optimizer ?? null;
  const includesOptimizer = (opts.includeOptimizer ?? true) && compileConfig !== null && optimizer !== null;
  const tensors: Record<string, Tensor> = weightRecord(named);
  if (includesOptimizer) Object.assign(tensors, weightRecord(optimizerNamed(optimizer!), OPTIMIZER_PREFIX));
  const weightBytes = encodeSafetensors(await readToHost(tensors), { format: 'nabla', saveId });
  const json: NablaModelJson = {
    format: 'nabla-model',
    formatVersion: MODEL_FORMAT_VERSION,
    nablaVersion: NABLA_VERSION,
    saveId,
    modelConfig,
    buildInputShape: (model.builtInputShape as Shape | Shape[] | null) ?? null,
    compileConfig,
    weightsFile,
    weightsBytes: weightBytes.length,
    includesOptimizer,
  };
  return { json: JSON.stringify(json, null, 1), files: [[weightsFile, weightBytes]] };
}

/** Configs are JSON: a function in one (a Lambda layer's) would be lost, so saving refuses it up front. */
export function assertWritable(config: unknown, modelName: string, where = 'model config'): void {
  if (typeof config === 'function') {
    throw new ValueError(`model.save: '${modelName}' cannot be saved: ${where} holds a function (a Lambda layer?); use saveWeights, or a custom layer registered with nb.layers.register`);
  }
  if (Array.isArray(config)) config.forEach((v, i) => assertWritable(v, modelName, `${where}[${i}]`));
  else if (typeof config === 'object' && config !== null) {
    const named = (config as { className?: unknown; config?: { name?: unknown } });
    const label = typeof named.className === 'string' ? `${where} > ${String(named.config?.name ?? '?')} (${named.className})` : where;
    for (const [k, v] of Object.entries(config)) assertWritable(v, modelName, k === 'config' || k === 'layers' ? label : `${label}.${k}`);
  }
}

/** The optimizer's variables by name (its name, then the model weight's path and the slot). */
function optimizerNamed(optimizer: Optimizer): [string, Variable][] {
  return namedWeights({ name: optimizer.name, weights: optimizer.variables });
}

/** Check a parsed model.json before anything else is read: every field nabla uses, by type. */
export function checkNablaJson(json: Record<string, unknown>, source: string): NablaModelJson {
  if (typeof json.formatVersion !== 'number' || json.formatVersion > MODEL_FORMAT_VERSION) {
    throw new ValueError(`nb.models.load: ${source} has format version ${String(json.formatVersion)}; this nabla (${NABLA_VERSION}) reads up to ${MODEL_FORMAT_VERSION}`);
  }
  if (!isPlainObject(json.modelConfig)) throw new ValueError(`nb.models.load: ${source} has no modelConfig {className, config}`);
  checkLayerTree(json.modelConfig, source, 'modelConfig');
  const file = json.weightsFile;
  if (typeof file !== 'string' || !file || /[/\\]/.test(file) || file === '.' || file === '..') {
    throw new ValueError(`nb.models.load: ${source} names no weights file in its folder (weightsFile ${JSON.stringify(file)})`);
  }
  if (json.weightsBytes !== undefined && !(Number.isSafeInteger(json.weightsBytes) && (json.weightsBytes as number) >= 0)) {
    throw fieldError(source, 'weightsBytes', json.weightsBytes, 'the weights file\'s size in bytes');
  }
  if (json.saveId !== undefined && typeof json.saveId !== 'string') throw fieldError(source, 'saveId', json.saveId, 'a string');
  const shape = json.buildInputShape;
  if (shape !== undefined && shape !== null && !isShapeLike(shape, true) && !(Array.isArray(shape) && shape.length > 0 && shape.every((s) => isShapeLike(s, true)))) {
    throw fieldError(source, 'buildInputShape', shape, 'null, a shape or a list of shapes (integers or null)');
  }
  if (json.compileConfig !== undefined && json.compileConfig !== null) {
    if (!isPlainObject(json.compileConfig)) throw fieldError(source, 'compileConfig', json.compileConfig, 'null or an object');
    checkCompileConfig(json.compileConfig, source);
  }
  if (json.includesOptimizer !== undefined && typeof json.includesOptimizer !== 'boolean') throw fieldError(source, 'includesOptimizer', json.includesOptimizer, 'true or false');
  return json as unknown as NablaModelJson;
}

/** Rebuild a model from its model.json (checked by checkNablaJson) and the bytes of its weights file. */
export function loadNablaModel(json: NablaModelJson, weightBytes: Uint8Array, source: string, opts: LoadOptions = {}): Model {
  const { tensors, metadata } = decodeSafetensors(weightBytes, `${source}/${json.weightsFile}`);
  if (metadata.saveId !== undefined && metadata.saveId !== json.saveId) {
    throw new ValueError(`nb.models.load: ${json.weightsFile} in ${source} was written by another save than its model.json (an interrupted save?); save the model again`);
  }
  const modelValues: Record<string, Tensor> = {};
  const optimizerValues: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(tensors)) {
    if (k.startsWith(OPTIMIZER_PREFIX)) optimizerValues[k.slice(OPTIMIZER_PREFIX.length)] = t;
    else modelValues[k] = t;
  }
  // The layers may create no more weight values than the file holds (checked before each allocation).
  const fileValues = Object.values(modelValues).reduce((n, t) => n + t.size, 0);
  const model = withWeightBudget(fileValues, `nb.models.load (${source})`, () => {
    const m = deserializeLayer(json.modelConfig) as Model;
    if (typeof (m as { compile?: unknown }).compile !== 'function') {
      throw new ValueError(`nb.models.load: ${source} holds a ${json.modelConfig.className}, not a model`);
    }
    if (namedWeights(m).length === 0 && Object.keys(modelValues).length > 0 && json.buildInputShape) {
      createWeightsByCalling(m, json.buildInputShape, source);
    }
    return m;
  });
  assignByName('nb.models.load', namedWeights(model), modelValues, `${source}/${json.weightsFile}`);
  if (json.compileConfig && (opts.compile ?? true)) {
    const args = compileArgsFrom(json.compileConfig, `nb.models.load (${source})`);
    model.compile(args);
    if (json.includesOptimizer) restoreOptimizer(model, args.optimizer, optimizerValues, source);
  }
  return model;
}

/** The zeros a subclassed model is built with are allocated: a crafted shape must not ask for gigabytes. */
const MAX_BUILD_INPUT_VALUES = 2 ** 26;

/** A subclassed model makes its weights on its first call: call it once on zeros. */
function createWeightsByCalling(model: Model, shape: Shape | Shape[], source: string): void {
  const concrete = (s: Shape) => s.map((d) => d ?? 1);
  const multi = shape.length > 0 && Array.isArray(shape[0]);
  const values = (multi ? (shape as Shape[]) : [shape as Shape]).reduce((n, s) => n + concrete(s).reduce((a, b) => a * b, 1), 0);
  if (values > MAX_BUILD_INPUT_VALUES) {
    throw new ValueError(`nb.models.load: ${source} has buildInputShape ${JSON.stringify(shape)}, an input of ${values} values to build the model with; at most ${MAX_BUILD_INPUT_VALUES} are accepted`);
  }
  engine.pauseRecording(() =>
    engine.tidy(() => {
      const x = multi ? (shape as Shape[]).map((s) => zeros(concrete(s))) : zeros(concrete(shape as Shape));
      model.apply(x as Tensor, { training: false });
    }),
  );
}

/** Create the optimizer's slots for the weights it had slots for, then restore every variable by name. */
function restoreOptimizer(model: Model, optimizer: Optimizer, values: Record<string, Tensor>, source: string): void {
  const saved = Object.keys(values);
  const withSlots = model.trainableWeights.filter((v) => saved.some((k) => k.startsWith(`${optimizer.name}/${v.name}/`)));
  optimizer.build(withSlots);
  assignByName('nb.models.load (optimizer state)', optimizerNamed(optimizer), values, `${source} (optimizer state)`);
}
