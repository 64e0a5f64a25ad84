// One batch of work, kept as plain functions of (model, batch) so a jit can compile them later.
import { GradientTape } from '../autograd/tape.js';
import { engine } from '../engine/engine.js';
import { ValueError } from '../errors.js';
import { jit, type Jitted } from '../jit/jit.js';
import { add } from '../ops/primitives/binary.js';
import { tensor } from '../ops/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { typedShapeKey } from '../tensor/shape-key.js';
import type { Layer } from '../nn/layers/layer.js';
import type { CompiledState } from './compile.js';
import type { Batch } from './data-adapter.js';
import { averageGradients, broadcastWeights, dataParallelActive } from './data-parallel.js';

/** The model as the steps see it. */
export interface SteppableModel extends Layer {
  readonly compiled: CompiledState | null;
}

/**
 * Losses of one batch, as tensors (no host reads inside a step, so a jit can trace it): the total
 * with regularization, and each output's own loss.
 */
export interface StepResult {
  loss: Tensor;
  outputLosses: (Tensor | null)[];
}

/** The step's losses as numbers, read asynchronously (so backends without dataSync work), releasing the tensors. */
export async function readStepResultAsync(r: StepResult): Promise<{ loss: number; outputLosses: (number | null)[] }> {
  const loss = (await r.loss.data())[0]!;
  const outputLosses = await Promise.all(r.outputLosses.map(async (l) => (l ? (await l.data())[0]! : null)));
  for (const t of [r.loss, ...r.outputLosses]) t?.dispose();
  return { loss, outputLosses };
}

/** The step's losses as numbers, releasing the tensors. */
export function readStepResult(r: StepResult): { loss: number; outputLosses: (number | null)[] } {
  const out = { loss: r.loss.item(), outputLosses: r.outputLosses.map((l) => (l ? l.item() : null)) };
  for (const t of [r.loss, ...r.outputLosses]) t?.dispose();
  return out;
}

function forward(model: Layer, x: Tensor[], training: boolean): Tensor[] {
  return model.applyAll(x.length === 1 ? x[0]! : x, { training });
}

function compiledOf(model: SteppableModel): CompiledState {
  if (!model.compiled) throw new ValueError(`Model '${model.name}' must be compiled before training or evaluating it: call model.compile({ optimizer, loss })`);
  return model.compiled;
}

/** Forward under a tape, loss (+ regularization), gradients, optimizer update, metrics. */
export function trainStep(model: SteppableModel, batch: Batch): StepResult {
  if (dataParallelActive()) return dataParallelTrainStep(model, batch);
  return compiledStep(model, 'train', eagerTrainStep, batch);
}

/** Models whose weights were made rank 0's since their latest compile() (keyed by the compile state). */
const weightsShared = new WeakSet<CompiledState>();

/**
 * Data-parallel: make every rank's weights rank 0's, once per compile() of a built model (a
 * collective: every rank calls it at the same point). fit's first step and evaluate call it.
 */
export function shareWeightsFromRankZero(model: SteppableModel): void {
  const state = compiledOf(model);
  if (weightsShared.has(state) || !model.built) return;
  engine.tidy(() => broadcastWeights(model.weights));
  weightsShared.add(state);
}

/** Which trainable weights got a gradient in the latest gradient step (the apply step takes only those). */
const withGradient = new WeakMap<CompiledState, number[]>();

/**
 * The train step of data-parallel fit, in two compiled halves with the all-reduce between them
 * (on the host): this rank's rows' loss, metrics and gradients; then the averaged gradients
 * applied, the same on every rank. Before the first one (per compile), rank 0's weights replace
 * every rank's own (the model is built first if it has not been). A rank whose part of a short
 * last batch is empty still joins the all-reduce, with no rows.
 */
function dataParallelTrainStep(model: SteppableModel, batch: Batch): StepResult {
  const state = compiledOf(model);
  if (!weightsShared.has(state) && !model.built) {
    if (batch.size === 0) throw new ValueError(`fit: the first global batch has fewer rows than there are ranks; use a batchSize of at least the world size`);
    engine.tidy(() => void forward(model, batch.x, false));
  }
  shareWeightsFromRankZero(model);
  const vars = model.trainableWeights;
  let result: StepResult;
  let averaged: (Tensor | null)[];
  if (batch.size === 0) {
    result = { loss: tensor(0), outputLosses: state.outputNames.map(() => null) };
    averaged = vars.length ? averageGradients([], vars, 0) : [];
  } else {
    const r = compiledStep(model, 'gradients', eagerGradientStep, batch);
    result = { loss: r.loss, outputLosses: r.outputLosses };
    averaged = vars.length ? averageGradients(r.grads, vars, batch.size) : [];
    for (const g of r.grads) g?.dispose();
    withGradient.set(state, r.grads.flatMap((g, i) => (g ? [i] : [])));
  }
  if (averaged.length) {
    const present = withGradient.get(state) ?? vars.map((_, i) => i);
    compiledStep(model, 'apply', eagerApplyStep, { x: present.map((i) => averaged[i]!), y: null, sampleWeight: null, size: 0 });
  }
  for (const g of averaged) g?.dispose();
  return result;
}

/** The batch's predictions and its loss (with the model's regularization losses) from a forward pass. */
function forwardLoss(model: SteppableModel, batch: Batch, training: boolean): StepResult & { preds: Tensor[] } {
  const preds = forward(model, batch.x, training);
  const { total, perOutput } = compiledOf(model).computeLoss(batch.y!, preds, batch.sampleWeight);
  const reg = model.totalLoss();
  return { preds, loss: reg ? add(total, reg) : total, outputLosses: perOutput };
}

/** forwardLoss while training, and the loss's gradients in the trainable weights (none when there are none). */
function lossAndGradients(model: SteppableModel, batch: Batch): ReturnType<typeof forwardLoss> & { grads: (Tensor | null)[] } {
  const tape = new GradientTape();
  const result = forwardLoss(model, batch, true);
  const vars = model.trainableWeights;
  let grads: (Tensor | null)[] = [];
  if (vars.length) grads = tape.gradient(result.loss, vars);
  else tape.dispose();
  return { ...result, grads };
}

/** Loss (+ regularization), metrics and this batch's gradients, without updating the weights. */
function eagerGradientStep(model: SteppableModel, batch: Batch): StepResult & { grads: (Tensor | null)[] } {
  const state = compiledOf(model);
  return engine.tidy(() => {
    const { preds, loss, outputLosses, grads } = lossAndGradients(model, batch);
    state.updateMetrics(batch.y!, preds, batch.sampleWeight);
    return { loss, outputLosses, grads };
  });
}

/** The optimizer's update from gradients given as the batch's x (those of the weights in withGradient). */
function eagerApplyStep(model: SteppableModel, batch: Batch): Tensor[] {
  const state = compiledOf(model);
  const vars = model.trainableWeights;
  const present = withGradient.get(state) ?? vars.map((_, i) => i);
  engine.tidy(() => state.optimizer.applyGradients(present.map((v, k) => [batch.x[k]!, vars[v]!] as [Tensor | null, (typeof vars)[number]])));
  return [];
}

/** Forward in inference mode, loss and metrics. */
export function testStep(model: SteppableModel, batch: Batch): StepResult {
  return compiledStep(model, 'test', eagerTestStep, batch);
}

/** Forward in inference mode; the outputs survive the step's tidy scope. */
export function predictStep(model: Layer, batch: Batch): Tensor[] {
  return compiledStep(model as SteppableModel, 'predict', eagerPredictStep, batch);
}

/** 'gradients' and 'apply': the halves of a data-parallel train step. */
type StepKind = 'train' | 'test' | 'predict' | 'gradients' | 'apply';
type BatchFn = (x: Tensor[], y: Tensor[] | null, sampleWeight: Tensor | null) => unknown;

interface JitSteps {
  readonly fns: Partial<Record<StepKind, Jitted<BatchFn>>>;
  /** Kinds that ran once eagerly (the first step creates weights, optimizer slots and metric state). */
  readonly warm: Set<StepKind>;
  /** Kinds whose trace failed: they run eagerly from then on. */
  readonly eager: Set<StepKind>;
  /** Kinds with at least one successful compiled call: a later trace failure is a real error. */
  readonly traced: Set<StepKind>;
  /** The batch signatures each kind was compiled for. */
  readonly signatures: Partial<Record<StepKind, Set<string>>>;
}

/**
 * At most this many batch signatures are compiled per inference kind (predict, test); batches of
 * other shapes run eagerly. A server predicting requests of every size would otherwise trace (and
 * keep a plan) per size, and get the jit's retrace warning about shapes it never chose; 4 stays
 * under that warning and covers a fixed batch size, its remainder and a batch of one.
 */
const MAX_INFERENCE_SIGNATURES = 4;

function signaturePart(ts: readonly Tensor[]): string {
  let key = '';
  for (let i = 0; i < ts.length; i++) key += (i ? ';' : '') + typedShapeKey(ts[i]!.dtype, ts[i]!.shape);
  return key;
}

function signatureOf(batch: Batch): string {
  const w = batch.sampleWeight;
  return `${engine.backend.name}|${signaturePart(batch.x)}|${batch.y ? signaturePart(batch.y) : ''}|${w ? typedShapeKey(w.dtype, w.shape) : '-'}`;
}

/** Whether this batch's signature is (or may now become) one of the kind's compiled ones. */
function admitSignature(steps: JitSteps, kind: StepKind, batch: Batch): boolean {
  if (kind === 'train' || kind === 'gradients' || kind === 'apply') return true;
  const seen = (steps.signatures[kind] ??= new Set());
  const sig = signatureOf(batch);
  if (seen.has(sig)) return true;
  if (seen.size >= MAX_INFERENCE_SIGNATURES) return false;
  seen.add(sig);
  return true;
}

/**
 * Keyed by the compile state (a new compile() starts fresh: new optimizer, losses, metrics), or by
 * the model itself for a model predicted without compile().
 */
const jitSteps = new WeakMap<object, JitSteps>();

/**
 * Whether a step runs through nb.jit: as `compile({ jitCompile })` says (default true); a model
 * that was never compiled predicts compiled too, as Keras's `predict` is a compiled function by
 * default (pass `compile({ ..., jitCompile: false })` to predict eagerly).
 */
function jitKeyOf(model: SteppableModel): object | null {
  const state = model.compiled;
  if (state) return state.jitCompile ? state : null;
  return model;
}

/**
 * How many times the compiled step of `kind` was traced for this model (0 when it never ran
 * compiled): one per batch shape, so a predict over N samples traces at most twice (the full
 * batches, and the remainder).
 * @internal
 */
export function stepTraceCount(model: Layer, kind: StepKind): number {
  const key = jitKeyOf(model as SteppableModel);
  return (key && jitSteps.get(key)?.fns[kind]?.traceCount) ?? 0;
}

/**
 * The optimised graph of the compiled predict step for these inputs (undefined when predict has not
 * run compiled yet), as `nb.jit`'s `graph()` prints it.
 * @internal
 */
export function predictStepGraph(model: Layer, x: Tensor[]): string | undefined {
  const key = jitKeyOf(model as SteppableModel);
  const fn = key ? jitSteps.get(key)?.fns.predict : undefined;
  return fn?.graph(x, null, null);
}

/** As predictStepGraph, for the compiled train step of `fit` on a batch (x, y). @internal */
export function trainStepGraph(model: Layer, x: Tensor[], y: Tensor[]): string | undefined {
  const key = jitKeyOf(model as SteppableModel);
  const fn = key ? jitSteps.get(key)?.fns.train : undefined;
  return fn?.graph(x, y, null);
}

/**
 * Run a step through nb.jit when the model was compiled with `jitCompile` (the default): the first
 * step of each kind runs eagerly, later ones replay one compiled graph per batch shape. If a
 * model cannot be traced (a layer reads tensor values on the host), it says so once and runs eagerly.
 *
 * A short last batch simply gets its own trace (one more per loop), rather than being padded to the
 * full batch size and sliced: padding would feed made-up rows through the model, which changes the
 * real rows' results wherever a layer mixes rows (a Lambda normalizing over the batch) and would
 * make compiled and eager predictions differ. Past MAX_INFERENCE_SIGNATURES shapes, inference
 * batches of a new shape run eagerly.
 */
function compiledStep<R>(model: SteppableModel, kind: StepKind, eager: (model: SteppableModel, batch: Batch) => R, batch: Batch): R {
  const key = jitKeyOf(model);
  if (!key || engine.tracer || engine.isRecording()) return eager(model, batch);
  let steps = jitSteps.get(key);
  if (!steps) jitSteps.set(key, (steps = { fns: {}, warm: new Set(), eager: new Set(), traced: new Set(), signatures: {} }));
  if (!steps.warm.has(kind) || steps.eager.has(kind) || !admitSignature(steps, kind, batch)) {
    const out = eager(model, batch);
    // Only a step that ran counts as the warm-up: a bad input's error must not switch the jit on early.
    steps.warm.add(kind);
    return out;
  }
  const fn = (steps.fns[kind] ??= jit(
    (x: Tensor[], y: Tensor[] | null, sampleWeight: Tensor | null) => eager(model, { x, y, sampleWeight, size: x[0]?.shape[0] ?? 1 }),
    { name: `${model.name}.${kind}Step`, inference: kind === 'predict' || kind === 'test', foldFrozen: kind === 'train' },
  ));
  const tracesBefore = fn.traceCount;
  try {
    const out = fn(batch.x, batch.y, batch.sampleWeight) as R;
    steps.traced.add(kind);
    return out;
  } catch (e) {
    steps.signatures[kind]?.delete(signatureOf(batch));
    // A failure at replay, or of a later trace after one succeeded, is a real error of this batch.
    if (fn.traceCount === tracesBefore || steps.traced.has(kind)) throw e;
    // The eager step throws too when the input itself is bad: then the jit stays on for later calls.
    const out = eager(model, batch);
    steps.eager.add(kind);
    engine.warnOnce(`jit-step:${model.name}:${kind}`, `could not compile the ${kind} step of '${model.name}' with nb.jit (${(e as Error).message}); running it eagerly. Pass compile({ jitCompile: false }) to silence this.`);
    return out;
  }
}

function eagerTrainStep(model: SteppableModel, batch: Batch): StepResult {
  const state = compiledOf(model);
  return engine.tidy(() => {
    const { preds, loss, outputLosses, grads } = lossAndGradients(model, batch);
    const vars = model.trainableWeights;
    if (vars.length) state.optimizer.applyGradients(grads.map((g, i) => [g, vars[i]!] as [Tensor | null, (typeof vars)[number]]));
    state.updateMetrics(batch.y!, preds, batch.sampleWeight);
    return { loss, outputLosses };
  });
}

function eagerTestStep(model: SteppableModel, batch: Batch): StepResult {
  const state = compiledOf(model);
  return engine.tidy(() => {
    const { preds, loss, outputLosses } = forwardLoss(model, batch, false);
    state.updateMetrics(batch.y!, preds, batch.sampleWeight);
    return { loss, outputLosses };
  });
}

function eagerPredictStep(model: Layer, batch: Batch): Tensor[] {
  return engine.tidy(() => forward(model, batch.x, false));
}
