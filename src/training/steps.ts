// One batch of work, kept as plain functions of (model, batch) so a jit can compile them later.
import { GradientTape } from '../autograd/tape.js';
import { engine } from '../engine/engine.js';
import { ValueError } from '../errors.js';
import { jit, type Jitted } from '../jit/jit.js';
import { add } from '../ops/primitives/binary.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Layer } from '../nn/layers/layer.js';
import type { CompiledState } from './compile.js';
import type { Batch } from './data-adapter.js';

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
  return compiledStep(model, 'train', eagerTrainStep, batch);
}

/** Forward in inference mode, loss and metrics. */
export function testStep(model: SteppableModel, batch: Batch): StepResult {
  return compiledStep(model, 'test', eagerTestStep, batch);
}

/** Forward in inference mode; the outputs survive the step's tidy scope. */
export function predictStep(model: Layer, batch: Batch): Tensor[] {
  return compiledStep(model as SteppableModel, 'predict', eagerPredictStep, batch);
}

type StepKind = 'train' | 'test' | 'predict';
type BatchFn = (x: Tensor[], y: Tensor[] | null, sampleWeight: Tensor | null) => unknown;

interface JitSteps {
  readonly fns: Partial<Record<StepKind, Jitted<BatchFn>>>;
  /** Kinds that ran once eagerly (the first step creates weights, optimizer slots and metric state). */
  readonly warm: Set<StepKind>;
  /** Kinds whose trace failed: they run eagerly from then on. */
  readonly eager: Set<StepKind>;
}

const jitSteps = new WeakMap<CompiledState, JitSteps>();

/**
 * Run a step through nb.jit when the model was compiled with `jitCompile` (the default): the first
 * step of each kind runs eagerly, later ones replay one compiled graph per batch shape. If a
 * model cannot be traced (a layer reads tensor values on the host), it says so once and runs eagerly.
 */
function compiledStep<R>(model: SteppableModel, kind: StepKind, eager: (model: SteppableModel, batch: Batch) => R, batch: Batch): R {
  const state = model.compiled;
  if (!state?.jitCompile || engine.tracer || engine.isRecording()) return eager(model, batch);
  let steps = jitSteps.get(state);
  if (!steps) jitSteps.set(state, (steps = { fns: {}, warm: new Set(), eager: new Set() }));
  if (!steps.warm.has(kind) || steps.eager.has(kind)) {
    steps.warm.add(kind);
    return eager(model, batch);
  }
  const fn = (steps.fns[kind] ??= jit(
    (x: Tensor[], y: Tensor[] | null, sampleWeight: Tensor | null) => eager(model, { x, y, sampleWeight, size: x[0]?.shape[0] ?? 1 }),
    { name: `${model.name}.${kind}Step` },
  ));
  try {
    return fn(batch.x, batch.y, batch.sampleWeight) as R;
  } catch (e) {
    if (fn.traceCount > 1) throw e;
    steps.eager.add(kind);
    engine.warnOnce(`jit-step:${model.name}:${kind}`, `could not compile the ${kind} step of '${model.name}' with nb.jit (${(e as Error).message}); running it eagerly. Pass compile({ jitCompile: false }) to silence this.`);
    return eager(model, batch);
  }
}

function eagerTrainStep(model: SteppableModel, batch: Batch): StepResult {
  const state = compiledOf(model);
  return engine.tidy(() => {
    const tape = new GradientTape();
    const preds = forward(model, batch.x, true);
    const { total, perOutput } = state.computeLoss(batch.y!, preds, batch.sampleWeight);
    const reg = model.totalLoss();
    const loss = reg ? add(total, reg) : total;
    const vars = model.trainableWeights;
    if (vars.length) {
      const grads = tape.gradient(loss, vars);
      state.optimizer.applyGradients(grads.map((g, i) => [g, vars[i]!] as [Tensor | null, (typeof vars)[number]]));
    } else {
      tape.dispose();
    }
    state.updateMetrics(batch.y!, preds, batch.sampleWeight);
    return { loss, outputLosses: perOutput };
  });
}

function eagerTestStep(model: SteppableModel, batch: Batch): StepResult {
  const state = compiledOf(model);
  return engine.tidy(() => {
    const preds = forward(model, batch.x, false);
    const { total, perOutput } = state.computeLoss(batch.y!, preds, batch.sampleWeight);
    const reg = model.totalLoss();
    const loss = reg ? add(total, reg) : total;
    state.updateMetrics(batch.y!, preds, batch.sampleWeight);
    return { loss, outputLosses: perOutput };
  });
}

function eagerPredictStep(model: Layer, batch: Batch): Tensor[] {
  return engine.tidy(() => forward(model, batch.x, false));
}
