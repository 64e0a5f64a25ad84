// Layer and model configs between Keras JSON (snake_case keys, as TensorFlow.js and Keras write
// them) and nabla's camelCase configs, with the few values whose spelling or meaning differ.
import { ValueError } from '../errors.js';
import { clip } from '../ops/composite/math.js';
import { add, mul } from '../ops/primitives/binary.js';
import { registerActivation, tfjsActivationNames } from '../nn/activations.js';
import type { SerializedObject } from '../nn/serialization.js';
import { knownLayerClass } from '../nn/layers/registry.js';
import type { Tensor } from '../tensor/tensor.js';

/** Keras 2's (and TF.js's) hard sigmoid, clip(0.2 x + 0.5, 0, 1); nabla's `hardSigmoid` is Keras 3's x / 6 + 0.5. */
export const KERAS2_HARD_SIGMOID = 'keras2HardSigmoid';
registerActivation(KERAS2_HARD_SIGMOID, (x: Tensor) => clip(add(mul(x, 0.2), 0.5), 0, 1));

/** Keras class names that nabla spells differently. */
const CLASS_FROM_KERAS: Record<string, string> = { Functional: 'Model' };

const snakeToCamel = (k: string) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const camelToSnake = (k: string) => k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Rename every key of nested objects (arrays are walked, strings left alone). */
function renameKeys(x: unknown, rename: (k: string) => string): unknown {
  if (Array.isArray(x)) return x.map((v) => renameKeys(v, rename));
  if (!isPlainObject(x)) return x;
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [rename(k), renameKeys(v, rename)]));
}

// Values that are spelled differently: VarianceScaling's mode and distribution, activations.
const MODE_FROM_KERAS: Record<string, string> = { fan_in: 'fanIn', fan_out: 'fanOut', fan_avg: 'fanAvg' };
const DISTRIBUTION_FROM_KERAS: Record<string, string> = { normal: 'truncatedNormal', truncated_normal: 'truncatedNormal', untruncated_normal: 'untruncatedNormal', uniform: 'uniform' };
const DISTRIBUTION_TO_TFJS: Record<string, string> = { truncatedNormal: 'truncated_normal', untruncatedNormal: 'normal', uniform: 'uniform' };
const ACTIVATION_KEYS = new Set(['activation', 'recurrentActivation']);
const DATA_FORMAT_FROM_KERAS: Record<string, string> = { channels_first: 'channelsFirst', channels_last: 'channelsLast' };
/** Config keys that nabla (camelCase) names differently from Keras, by layer class. */
const DEPTHWISE_KEYS: Record<string, string> = { kernelInitializer: 'depthwiseInitializer', kernelRegularizer: 'depthwiseRegularizer' };
const KEYS_TO_KERAS: Record<string, Record<string, string>> = {
  DepthwiseConv1D: DEPTHWISE_KEYS, DepthwiseConv2D: DEPTHWISE_KEYS, SeparableConv1D: DEPTHWISE_KEYS, SeparableConv2D: DEPTHWISE_KEYS,
};

function renameOwnKeys(c: Record<string, unknown>, table: Record<string, string> | undefined): Record<string, unknown> {
  return table ? Object.fromEntries(Object.entries(c).map(([k, v]) => [table[k] ?? k, v])) : c;
}

function invert(table: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [v, k]));
}

/** A layer config from Keras: keys and the values above translated. */
function layerConfigFromKeras(className: string, config: Record<string, unknown>): Record<string, unknown> {
  const fromKeras = KEYS_TO_KERAS[className] && invert(KEYS_TO_KERAS[className]);
  const c = renameOwnKeys(renameKeys(config, snakeToCamel) as Record<string, unknown>, fromKeras);
  fixValues(c, MODE_FROM_KERAS, DISTRIBUTION_FROM_KERAS);
  for (const k of ACTIVATION_KEYS) if (c[k] === 'hard_sigmoid' || c[k] === 'hardSigmoid') c[k] = KERAS2_HARD_SIGMOID;
  if (c.dataFormat === 'channels_first' || c.dataFormat === 'channels_last') {
    const keys = knownLayerClass(className)?.optionKeys;
    if (c.dataFormat === 'channels_first' && keys && !keys.includes('dataFormat')) {
      throw new ValueError(`TF.js model: layer '${String(c.name)}' (${className}) uses data_format channels_first; nabla's ${className} is channels_last only`);
    }
    c.dataFormat = DATA_FORMAT_FROM_KERAS[c.dataFormat];
  }
  if (c.batchShape && !c.batchInputShape) c.batchInputShape = c.batchShape;
  if (isPlainObject(c.dtype)) c.dtype = (c.dtype.config as { name?: string } | undefined)?.name ?? 'float32';
  // TF.js writes no reset_after: its GRU is the reset-before form.
  if (className === 'GRU' || className === 'GRUCell') c.resetAfter = c.resetAfter === true;
  for (const k of ['kernelConstraint', 'biasConstraint', 'recurrentConstraint', 'embeddingsConstraint', 'betaConstraint', 'gammaConstraint']) {
    // Constraints only act on training updates; inference is unaffected, so the model still loads.
    if (c[k] !== null && c[k] !== undefined) console.warn(`TF.js model: layer '${String(c.name)}' (${className}) has a ${k}, which nabla ignores (it has no weight constraints)`);
    delete c[k];
  }
  // Keras writes keys nabla has no option for (data_format, activity_regularizer, ...): they are left
  // out here, so the constructors' check of unknown keys only concerns what users write.
  const keys = knownLayerClass(className)?.optionKeys;
  return keys ? Object.fromEntries(Object.entries(c).filter(([k]) => keys.includes(k))) : c;
}

/** Translate `mode`/`distribution` string values of initializer configs, in place, at any depth. */
function fixValues(x: unknown, modes: Record<string, string>, distributions: Record<string, string>): void {
  if (Array.isArray(x)) return x.forEach((v) => fixValues(v, modes, distributions));
  if (!isPlainObject(x)) return;
  for (const [k, v] of Object.entries(x)) {
    if (k === 'mode' && typeof v === 'string' && modes[v]) x[k] = modes[v];
    else if (k === 'distribution' && typeof v === 'string' && distributions[v]) x[k] = distributions[v];
    else fixValues(v, modes, distributions);
  }
}

const NESTED_MODELS = new Set(['Sequential', 'Model', 'Functional']);

/**
 * In Keras and TF.js a model's node 0 is its own inputs-to-outputs node, so its calls inside an
 * outer model count from 1; nabla counts the calls in the outer graph from 0.
 */
function shiftNode([name, node, tensor]: [string, number, number], nested: ReadonlySet<string>, by: 1 | -1): [string, number, number] {
  return nested.has(name) ? [name, Math.max(0, node + by), tensor] : [name, node, tensor];
}

interface KerasLayerJson {
  class_name: string;
  config: Record<string, unknown>;
  name?: string;
  inbound_nodes?: unknown[];
}

/** A Keras model topology (`{class_name, config}`) as a nabla `{className, config}`. */
export function modelFromKeras(topology: unknown): SerializedObject {
  const top = (isPlainObject(topology) && isPlainObject(topology.model_config) ? topology.model_config : topology) as KerasLayerJson;
  if (!isPlainObject(top) || typeof top.class_name !== 'string') throw new ValueError('TF.js model: modelTopology must be {class_name, config}');
  const className = CLASS_FROM_KERAS[top.class_name] ?? top.class_name;
  if (className === 'Sequential') {
    const layers = Array.isArray(top.config) ? top.config : isPlainObject(top.config) ? top.config.layers : undefined;
    if (!Array.isArray(layers)) throw new ValueError('TF.js model: a Sequential topology needs a list of layers');
    return { className, config: { name: (top.config as { name?: string }).name, layers: layers.map(layerFromKeras) } };
  }
  if (className === 'Model') {
    const cfg = (isPlainObject(top.config) ? top.config : {}) as { name?: string; layers?: KerasLayerJson[]; input_layers?: unknown; output_layers?: unknown };
    if (!Array.isArray(cfg.layers)) throw new ValueError('TF.js model: a functional topology needs a list of layers');
    cfg.layers.forEach((l, i) => {
      if (!isPlainObject(l) || !isPlainObject(l.config)) throw new ValueError(`TF.js model: layers[${i}] of the functional topology must be {class_name, config}, got ${JSON.stringify(l)?.slice(0, 80)}`);
      if (l.inbound_nodes !== undefined && !Array.isArray(l.inbound_nodes)) throw new ValueError(`TF.js model: layer '${String(l.name)}' has inbound_nodes ${JSON.stringify(l.inbound_nodes)?.slice(0, 80)}; expected a list`);
    });
    for (const k of ['input_layers', 'output_layers'] as const) {
      if (!Array.isArray(cfg[k])) throw new ValueError(`TF.js model: the functional topology has ${k} ${JSON.stringify(cfg[k])?.slice(0, 80)}; expected a list of [layer name, node, tensor]`);
    }
    const nested = new Set(cfg.layers.filter((l) => NESTED_MODELS.has(l.class_name)).map((l) => l.name ?? String(l.config.name)));
    const ref = (r: unknown) => shiftNode(tensorRef(r), nested, -1);
    const refs = (x: unknown) => (Array.isArray(x) && typeof x[0] === 'string' ? [ref(x)] : (x as unknown[]).map(ref));
    const outputs = refs(cfg.output_layers);
    return {
      className,
      config: {
        name: cfg.name,
        layers: cfg.layers.map((l) => ({
          ...layerFromKeras(l),
          name: l.name ?? (l.config.name as string),
          inboundNodes: (l.inbound_nodes ?? []).map((node) => nodeFromKeras(node, l.name ?? '', nested)),
        })),
        inputLayers: refs(cfg.input_layers),
        outputLayers: outputs,
        inputsAsList: refs(cfg.input_layers).length > 1,
        outputsAsList: outputs.length > 1,
      },
    };
  }
  return layerFromKeras(top);
}

function layerFromKeras(l: unknown): SerializedObject {
  if (!isPlainObject(l) || typeof l.class_name !== 'string' || !isPlainObject(l.config)) throw new ValueError(`TF.js model: expected a layer {class_name, config}, got ${JSON.stringify(l)?.slice(0, 80)}`);
  const className = CLASS_FROM_KERAS[l.class_name] ?? l.class_name;
  if (className === 'Sequential' || className === 'Model') return modelFromKeras(l);
  const { layer: inner, backward_layer: _backward, ...own } = l.config;
  // An RNN's cell and a stack's cells are layers of their own (TF.js also copies the cell's options into the RNN's config).
  const { cell, cells, ...rest } = own;
  const config = layerConfigFromKeras(className, className === 'RNN' || className === 'StackedRNNCells' ? rest : own);
  if (inner !== undefined) Object.assign(config, wrappedFromKeras(className, String(config.name), layerFromKeras(inner)));
  if (className === 'RNN' && cell !== undefined) config.cell = layerFromKeras(cell);
  if (className === 'StackedRNNCells' && Array.isArray(cells)) config.cells = cells.map(layerFromKeras);
  return { className, config };
}

/**
 * A wrapper's inner layer, renamed so that nabla's weight names end like Keras's: TimeDistributed's
 * weights are the wrapper's own (`td/kernel`); Bidirectional's are `bi/forward_lstm/kernel` and
 * `bi/backward_lstm/kernel`.
 */
function wrappedFromKeras(className: string, wrapperName: string, inner: SerializedObject): Record<string, unknown> {
  if (className === 'Bidirectional') {
    const name = String(inner.config.name);
    return {
      layer: { ...inner, config: { ...inner.config, name: `forward_${name}` } },
      backwardLayer: { ...inner, config: { ...inner.config, name: `backward_${name}`, goBackwards: !inner.config.goBackwards } },
    };
  }
  return { layer: { ...inner, config: { ...inner.config, name: wrapperName } } };
}

/** `[layer name, node index, tensor index, ...]` checked; anything else is a ValueError showing it. */
function tensorRef(r: unknown): [string, number, number] {
  if (!Array.isArray(r) || typeof r[0] !== 'string' || !Number.isSafeInteger(r[1]) || !Number.isSafeInteger(r[2])) {
    throw new ValueError(`TF.js model: expected a tensor reference [layer name, node, tensor], got ${JSON.stringify(r)?.slice(0, 80)}`);
  }
  return [r[0], r[1] as number, r[2] as number];
}

/** Keras 3's tensor references inside a node's args: `{class_name: '__keras_tensor__', config: {keras_history}}`. */
function kerasHistories(x: unknown): unknown[][] {
  if (Array.isArray(x)) return x.flatMap(kerasHistories);
  const history = isPlainObject(x) && isPlainObject(x.config) ? x.config.keras_history : undefined;
  return Array.isArray(history) ? [history] : [];
}

/** Keras 2's `[[name, node, tensor, kwargs], ...]` or Keras 3's `{args, kwargs}` as nabla's node. */
function nodeFromKeras(node: unknown, layer: string, nested: Set<string>): { args: [string, number, number][]; asList: boolean; kwargs: Record<string, unknown> } {
  if (isPlainObject(node) && Array.isArray(node.args)) {
    const refs = kerasHistories(node.args).map((r) => shiftNode(tensorRef(r), nested, -1));
    if (!refs.length) throw new ValueError(`TF.js model: layer '${layer}' has an inbound node without tensor references`);
    return { args: refs, asList: Array.isArray(node.args[0]), kwargs: {} };
  }
  if (!Array.isArray(node)) throw new ValueError(`TF.js model: layer '${layer}' has an inbound node in a form nabla does not read (${JSON.stringify(node)?.slice(0, 80)})`);
  const args = node.map((r) => shiftNode(tensorRef(r), nested, -1));
  const kwargs = (node[0] as unknown[] | undefined)?.[3];
  return { args, asList: args.length > 1, kwargs: isPlainObject(kwargs) ? (renameKeys(kwargs, snakeToCamel) as Record<string, unknown>) : {} };
}

// ------------------------------------------------------------------------------------ export

/** A nabla model config (`{className, config}` of Sequential or functional Model) as a Keras topology for TF.js. */
export function modelToKeras(model: SerializedObject): Record<string, unknown> {
  const { className, config } = model;
  if (className === 'Sequential') {
    const layers = (config.layers as SerializedObject[]).map((l) => layerToKeras(l));
    const first = layers[0]?.config as Record<string, unknown> | undefined;
    if (first && !first.batch_input_shape && config.batchInputShape) first.batch_input_shape = config.batchInputShape;
    return { class_name: 'Sequential', config: { name: config.name, layers } };
  }
  if (className === 'Model' && Array.isArray(config.layers)) {
    type NablaLayer = SerializedObject & { name: string; inboundNodes: { args: [string, number, number][]; kwargs: Record<string, unknown> }[] };
    const layers = config.layers as NablaLayer[];
    const nested = new Set(layers.filter((l) => NESTED_MODELS.has(l.className)).map((l) => l.name));
    const refs = (rs: unknown) => (rs as [string, number, number][]).map((r) => shiftNode(r, nested, 1));
    return {
      class_name: 'Model',
      config: {
        name: config.name,
        layers: layers.map((l) => ({
          ...layerToKeras(l),
          name: l.name,
          inbound_nodes: l.inboundNodes.map((n) => refs(n.args).map((r) => [...r, renameKeys(n.kwargs ?? {}, camelToSnake)])),
        })),
        input_layers: refs(config.inputLayers),
        output_layers: refs(config.outputLayers),
      },
    };
  }
  throw new ValueError(`model.save (tfjs): only Sequential and functional models can be written in the TF.js format; '${String(config.name)}' is a ${className}`);
}

const TFJS_ACTIVATIONS = tfjsActivationNames();

function layerToKeras(l: SerializedObject): { class_name: string; config: Record<string, unknown> } {
  if (l.className === 'Sequential' || l.className === 'Model') return modelToKeras(l) as { class_name: string; config: Record<string, unknown> };
  if (isPlainObject(l.config.layer)) {
    // TF.js makes the backward layer itself (a reversed copy of `layer`).
    const { layer, backwardLayer: _backward, ...own } = l.config;
    return { class_name: l.className, config: { ...layerToKeras({ className: l.className, config: own }).config, layer: layerToKeras(layer as unknown as SerializedObject) } };
  }
  if (l.className === 'RNN' || l.className === 'StackedRNNCells') {
    const { cell, cells, ...own } = l.config;
    const out = ownConfigToKeras({ className: l.className, config: own });
    if (cell !== undefined) out.config.cell = layerToKeras(cell as SerializedObject);
    if (Array.isArray(cells)) out.config.cells = (cells as SerializedObject[]).map(layerToKeras);
    return out;
  }
  if ((l.className === 'GRU' || l.className === 'GRUCell') && l.config.resetAfter !== false) {
    throw new ValueError(`model.save (tfjs): GRU layer '${String(l.config.name)}' uses resetAfter=true, which TensorFlow.js's GRU cannot run; build it with resetAfter: false`);
  }
  return ownConfigToKeras(l);
}

/** A layer's own options in Keras's spelling (nested layers are the caller's). */
function ownConfigToKeras(l: SerializedObject): { class_name: string; config: Record<string, unknown> } {
  const c = { ...l.config };
  for (const k of ACTIVATION_KEYS) {
    const a = c[k];
    if (typeof a !== 'string') continue;
    const name = a === KERAS2_HARD_SIGMOID ? 'hard_sigmoid' : camelToSnake(a);
    if (name === 'hard_sigmoid' && a !== KERAS2_HARD_SIGMOID) {
      throw new ValueError(`model.save (tfjs): layer '${String(c.name)}' uses hardSigmoid (x / 6 + 0.5); TF.js's hard_sigmoid is 0.2 x + 0.5`);
    }
    if (!TFJS_ACTIVATIONS.has(name)) throw new ValueError(`model.save (tfjs): layer '${String(c.name)}' uses activation '${a}', which TF.js does not have`);
    c[k] = name;
  }
  if (typeof c.dataFormat === 'string') c.dataFormat = invert(DATA_FORMAT_FROM_KERAS)[c.dataFormat] ?? c.dataFormat;
  const out = renameKeys(renameOwnKeys(c, KEYS_TO_KERAS[l.className]), camelToSnake) as Record<string, unknown>;
  fixValues(out, invert(MODE_FROM_KERAS), DISTRIBUTION_TO_TFJS);
  return { class_name: l.className, config: out };
}
