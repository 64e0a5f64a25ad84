// The optimizer base: gradient filtering and clipping, weight decay, learning-rate schedules,
// slot variables and the iteration counter, in the order Keras 3 applies them.
import { checkOptions, type KeyList } from '../check-options.js';
import { GradientTape } from '../autograd/tape.js';
import { tidy } from '../backends/registry.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { add, div, maximum, mul, sub } from '../ops/primitives/binary.js';
import { cast } from '../ops/primitives/cast.js';
import { sum } from '../ops/primitives/reduce.js';
import { sqrt, square } from '../ops/primitives/unary.js';
import { clip, clipByNorm } from '../ops/composite/math.js';
import { full, type TensorLike } from '../ops/creation.js';
import type { DType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { Variable } from '../autograd/variable.js';
import { LearningRateSchedule, deserializeSchedule, serializeSchedule, type ScheduleConfig, type ScheduleFn } from './schedules.js';

/** A fixed rate, a schedule object, or any function of the step count (updates applied so far). */
export type LearningRate = number | LearningRateSchedule | ScheduleFn;

/** Options every optimizer takes (Keras 3's base-optimizer arguments). */
export interface OptimizerOptions {
  learningRate?: LearningRate;
  /** Decoupled weight decay: each step `v -= v * weightDecay * lr` before the update (default none). */
  weightDecay?: number | null;
  /** Clip each gradient to this L2 norm. */
  clipNorm?: number | null;
  /** Clip each gradient elementwise to `[-clipValue, clipValue]`. */
  clipValue?: number | null;
  /** Scale all gradients together so that their joint L2 norm is at most this. */
  globalClipNorm?: number | null;
  name?: string;
}

/** The keys of OptimizerOptions, spread into each optimizer's own list. */
export const OPTIMIZER_KEYS: KeyList<OptimizerOptions> = { learningRate: true, weightDecay: true, clipNorm: true, clipValue: true, globalClipNorm: true, name: true };

/** `getConfig()` output: plain JSON (a schedule is `{ className, config }`). */
export interface OptimizerConfig {
  name: string;
  learningRate: number | ScheduleConfig;
  weightDecay: number | null;
  clipNorm: number | null;
  clipValue: number | null;
  globalClipNorm: number | null;
  [key: string]: unknown;
}

/** A gradient (or `null`, which skips the variable) and the variable it updates. */
export type GradAndVar = readonly [Tensor | null | undefined, Variable];

function optionalPositive(op: string, name: string, v: number | null | undefined): number | null {
  if (v === undefined || v === null) return null;
  if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new ValueError(`${op}: ${name} must be a positive finite number or null, got ${String(v)}`);
  return v;
}

/**
 * Base of every optimizer. Subclasses declare their slots in `buildVariable` (with `addSlot`) and
 * implement one variable's update in `updateStep`; this class does the rest, like
 * `keras.optimizers.Optimizer`.
 */
export abstract class Optimizer {
  readonly name: string;
  /** Number of updates applied, a non-trainable int32 Variable (Keras's `optimizer.iterations`). */
  readonly iterations: Variable;
  readonly weightDecay: number | null;
  readonly clipNorm: number | null;
  readonly clipValue: number | null;
  readonly globalClipNorm: number | null;
  private rate: LearningRate;
  // A fixed rate lives in Variables too (one per dtype of the variables updated, so float32 models
  // never need float64), so that a jitted step reads the value a callback set between steps.
  private readonly rateVariables = new Map<DType, Variable>();
  // The step count mirrored on the host for the `learningRate` getter; re-read only when
  // `iterations` got new storage (a direct assign, setWeights, or a jitted step).
  private step = 0;
  private stepStorage: unknown;
  private readonly stateVariables: Variable[] = [];
  private readonly slots = new Map<Variable, Map<string, Variable>>();
  private readonly slotList: Variable[] = [];
  private readonly decayExcluded: (string | RegExp)[] = [];
  private readonly decayExcludedVars = new Set<Variable>();

  constructor(opts: OptimizerOptions, defaultLearningRate: number, defaultName: string) {
    const op = opts.name ?? defaultName;
    this.name = op;
    this.rate = Optimizer.checkRate(op, opts.learningRate ?? defaultLearningRate);
    this.weightDecay = opts.weightDecay === undefined || opts.weightDecay === null ? null : Optimizer.nonNegative(op, 'weightDecay', opts.weightDecay);
    this.clipNorm = optionalPositive(op, 'clipNorm', opts.clipNorm);
    this.clipValue = optionalPositive(op, 'clipValue', opts.clipValue);
    this.globalClipNorm = optionalPositive(op, 'globalClipNorm', opts.globalClipNorm);
    const clips = [this.clipNorm, this.clipValue, this.globalClipNorm].filter((c) => c !== null).length;
    if (clips > 1) {
      throw new ValueError(`${op}: only one of clipNorm, clipValue and globalClipNorm can be set, got clipNorm=${this.clipNorm}, clipValue=${this.clipValue}, globalClipNorm=${this.globalClipNorm}`);
    }
    this.iterations = new Variable(0, { dtype: 'int32', trainable: false, name: `${op}/iterations` });
    this.stepStorage = this.iterations.storage;
  }

  /** `v` if it is a finite number >= 0, else a ValueError naming `op` and `name`. */
  protected static nonNegative(op: string, name: string, v: number): number {
    if (!(typeof v === 'number' && v >= 0 && Number.isFinite(v))) throw new ValueError(`${op}: ${name} must be a finite number >= 0, got ${String(v)}`);
    return v;
  }

  /** `v` if it lies in [0, 1), else a ValueError naming `op` and `name`. */
  protected static inUnitInterval(op: string, name: string, v: number): number {
    if (!(typeof v === 'number' && v >= 0 && v < 1)) throw new ValueError(`${op}: ${name} must be in [0, 1), got ${String(v)}`);
    return v;
  }

  private static checkRate(op: string, lr: LearningRate): LearningRate {
    if (typeof lr === 'number') return Optimizer.nonNegative(op, 'learningRate', lr);
    if (lr instanceof LearningRateSchedule || typeof lr === 'function') return lr;
    throw new ValueError(`${op}: learningRate must be a number, a schedule or a function of the step, got ${typeof lr}`);
  }

  /** Updates applied so far (the value of `iterations`). */
  get stepCount(): number {
    if (this.iterations.storage !== this.stepStorage) {
      this.step = this.iterations.dataSync()[0]!;
      this.stepStorage = this.iterations.storage;
    }
    return this.step;
  }

  /** The learning rate the next update uses (a schedule evaluated at the current step). */
  get learningRate(): number {
    const lr = this.rate;
    if (typeof lr === 'number') return lr;
    return lr instanceof LearningRateSchedule ? lr.call(this.stepCount) : lr(this.stepCount);
  }

  /** Set a new fixed rate or schedule (ReduceLROnPlateau-style callbacks set numbers). */
  set learningRate(lr: LearningRate) {
    if (typeof lr === 'number' && typeof this.rate !== 'number') {
      throw new ValueError(`${this.name}: the learning rate is a schedule, so it cannot be set to a number; pass a new schedule or create the optimizer with a fixed rate`);
    }
    this.rate = Optimizer.checkRate(this.name, lr);
    const rate = this.rate;
    if (typeof rate === 'number') for (const v of this.rateVariables.values()) v.assign(full([], rate, v.dtype));
  }

  /** The learning rate for `done` updates so far, as a scalar of `done`'s dtype (traceable unless it is a plain function). */
  private learningRateTensor(done: Tensor): Tensor {
    const lr = this.rate;
    if (typeof lr === 'number') {
      let v = this.rateVariables.get(done.dtype);
      if (!v) this.rateVariables.set(done.dtype, (v = new Variable(full([], lr, done.dtype), { trainable: false, name: `${this.name}/learning_rate` })));
      return v.value();
    }
    if (lr instanceof LearningRateSchedule) return lr.callTensor(done);
    // A plain function runs on the host: inside nb.jit its value at trace time is kept.
    return full([], lr(this.stepCount), done.dtype);
  }

  /** The learning rate as given: a number, a schedule or a function. */
  get learningRateSchedule(): LearningRate {
    return this.rate;
  }

  /** Keep the variables (or those whose name matches) out of weight decay, like Keras's `exclude_from_weight_decay`. */
  excludeFromWeightDecay(o: { variables?: readonly Variable[]; names?: readonly (string | RegExp)[] }): void {
    for (const v of o.variables ?? []) this.decayExcludedVars.add(v);
    this.decayExcluded.push(...(o.names ?? []));
  }

  private usesWeightDecay(v: Variable): boolean {
    if (this.decayExcludedVars.has(v)) return false;
    return !this.decayExcluded.some((p) => (typeof p === 'string' ? v.name.includes(p) : p.test(v.name)));
  }

  /** Declare a variable's slots with `addSlot` (called once per variable, on its first update or in `build`). */
  protected abstract buildVariable(variable: Variable): void;

  /**
   * Update one variable from its (clipped) gradient. `learningRate` and `step` (1 on the first
   * update) are scalar tensors of the variable's dtype, computed from `iterations`, so that the
   * update stays right when replayed by nb.jit.
   */
  protected abstract updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor, step: Tensor): void;

  /** Hook run once per `applyGradients` before the per-variable updates; `stepIn(dtype)` is the 1-based step. */
  protected beforeUpdates(_stepIn: (dtype: DType) => Tensor): void {}

  /** Optimizer-wide state (not per variable), such as Nadam's momentum product; saved with the slots. */
  protected addStateVariable(name: string, init: number, dtype: DType): Variable {
    const v = new Variable(full([], init, dtype), { trainable: false, name: `${this.name}/${name}` });
    this.stateVariables.push(v);
    return v;
  }

  /** A per-variable state tensor, zeros unless `init` says otherwise, created once. */
  protected addSlot(variable: Variable, slotName: string, init: number = 0): Variable {
    let perVar = this.slots.get(variable);
    if (!perVar) this.slots.set(variable, (perVar = new Map()));
    const existing = perVar.get(slotName);
    if (existing) return existing;
    // Built from host values, so that slots created during a jit trace are real variables.
    const slot = new Variable(full(variable.shape, init, variable.dtype), { trainable: false, name: `${this.name}/${variable.name}/${slotName}` });
    perVar.set(slotName, slot);
    this.slotList.push(slot);
    return slot;
  }

  /** The slot `slotName` of `variable` (after it was built). */
  protected slot(variable: Variable, slotName: string): Variable {
    const s = this.slots.get(variable)?.get(slotName);
    if (!s) throw new ValueError(`${this.name}: variable '${variable.name}' has no slot '${slotName}'; was it built?`);
    return s;
  }

  /** Create slots for these variables now (needed before `setWeights` on a fresh optimizer). */
  build(variables: readonly Variable[]): void {
    for (const v of variables) {
      if (!(v instanceof Variable)) throw new ValueError(`${this.name}.build: expected Variables, got ${typeof v}`);
      if (!this.slots.has(v)) {
        this.slots.set(v, new Map());
        this.buildVariable(v);
      }
    }
  }

  /**
   * The optimizer's state: `[iterations, ...optimizer-wide state, ...slots in creation order]`.
   * The learning rate is not among them: it travels in `getConfig()`.
   */
  get variables(): Variable[] {
    return [this.iterations, ...this.stateVariables, ...this.slotList];
  }

  /** Values of `variables`, for saving and resuming training. */
  getWeights(): Tensor[] {
    return this.variables.map((v) => v.value());
  }

  /** Restore values saved by `getWeights`; `build(vars)` first when the slots do not exist yet. */
  setWeights(values: readonly TensorLike[]): void {
    const vars = this.variables;
    if (values.length !== vars.length) {
      throw new ValueError(
        `${this.name}.setWeights: got ${values.length} values for ${vars.length} optimizer variables (iterations, ${this.stateVariables.length} optimizer-wide, ${this.slotList.length} slots); call build(variables) with the model's trainable variables first`,
      );
    }
    vars.forEach((v, i) => v.assign(values[i]!));
  }

  /** `applyGradients([[grad, var], ...])` or `applyGradients(grads, vars)`; null gradients are skipped. */
  applyGradients(gradsAndVars: readonly GradAndVar[]): void;
  applyGradients(grads: readonly (Tensor | null | undefined)[], variables: readonly Variable[]): void;
  applyGradients(a: readonly GradAndVar[] | readonly (Tensor | null | undefined)[], vars?: readonly Variable[]): void {
    const pairs: GradAndVar[] = vars === undefined ? [...(a as readonly GradAndVar[])] : this.zip(a as readonly (Tensor | null)[], vars);
    this.applyPairs(pairs);
  }

  /** Keras 3's `apply(grads, variables)`. */
  apply(grads: readonly (Tensor | null | undefined)[], variables: readonly Variable[]): void {
    this.applyPairs(this.zip(grads, variables));
  }

  private zip(grads: readonly (Tensor | null | undefined)[], vars: readonly Variable[]): GradAndVar[] {
    if (grads.length !== vars.length) throw new ValueError(`${this.name}.applyGradients: got ${grads.length} gradients for ${vars.length} variables`);
    return grads.map((g, i) => [g, vars[i]!] as const);
  }

  private applyPairs(pairs: readonly GradAndVar[]): void {
    const live: [Tensor, Variable][] = [];
    for (const p of pairs) {
      if (!Array.isArray(p) || p.length !== 2 || !(p[1] instanceof Variable)) {
        throw new ValueError(`${this.name}.applyGradients: expected [gradient, Variable] pairs`);
      }
      const [g, v] = p;
      if (g === null || g === undefined) continue;
      if (!(g instanceof Tensor)) throw new ValueError(`${this.name}.applyGradients: gradient of '${v.name}' is ${typeof g}, expected a Tensor or null`);
      if (g.shape.length !== v.shape.length || g.shape.some((d, i) => d !== v.shape[i])) {
        throw new ShapeError(`${this.name}.applyGradients: gradient of shape ${fmtShape(g.shape)} does not match variable '${v.name}' of shape ${fmtShape(v.shape)}`);
      }
      live.push([g, v]);
    }
    if (live.length === 0) {
      const names = pairs.map((p) => p[1]?.name).join(', ');
      throw new ValueError(`${this.name}.applyGradients: no gradients provided for any variable (${names || 'none given'})`);
    }
    this.build(live.map(([, v]) => v));
    const hostStep = this.stepCount + 1;
    tidy(() => {
      // Everything that depends on the step is computed from `iterations` in each variable's dtype
      // (as Keras does), so a jitted step stays right and float32 models never touch float64.
      const perDType = new Map<DType, { lr: Tensor; step: Tensor }>();
      const scalars = (dtype: DType) => {
        let sc = perDType.get(dtype);
        if (!sc) {
          const done = cast(this.iterations.value(), dtype);
          perDType.set(dtype, (sc = { lr: this.learningRateTensor(done), step: add(done, 1) }));
        }
        return sc;
      };
      const grads = this.clipGradients(live.map(([g, v]) => (g.dtype === v.dtype ? g : cast(g, v.dtype))));
      if (this.weightDecay) {
        for (const [, v] of live) {
          if (this.usesWeightDecay(v)) v.assign(sub(v.value(), mul(v.value(), mul(scalars(v.dtype).lr, this.weightDecay))));
        }
      }
      this.beforeUpdates((dtype) => scalars(dtype).step);
      live.forEach(([, v], i) => {
        const { lr, step } = scalars(v.dtype);
        this.updateStep(grads[i]!, v, lr, step);
      });
      this.iterations.assign(add(this.iterations.value(), 1));
    });
    this.step = hostStep;
    this.stepStorage = this.iterations.storage;
  }

  private clipGradients(grads: Tensor[]): Tensor[] {
    if (this.clipNorm !== null) return grads.map((g) => clipByNorm(g, this.clipNorm!));
    if (this.clipValue !== null) return grads.map((g) => clip(g, -this.clipValue!, this.clipValue!));
    if (this.globalClipNorm !== null) {
      const c = this.globalClipNorm;
      const dtype = grads.some((g) => g.dtype === 'float64') ? 'float64' : 'float32';
      const squares = grads.map((g) => cast(sum(square(g)), dtype));
      const globalNorm = sqrt(squares.reduce((acc, s) => add(acc, s)));
      const scale = div(c, maximum(globalNorm, c));
      return grads.map((g) => mul(g, cast(scale, g.dtype)));
    }
    return grads;
  }

  /**
   * Compute `lossFn()` under a GradientTape and apply its gradients to `variables`; returns the loss.
   * Variables the loss does not depend on are skipped.
   */
  minimize(lossFn: () => Tensor, variables: readonly Variable[]): Tensor {
    if (typeof lossFn !== 'function') throw new ValueError(`${this.name}.minimize: expected a function returning the loss, got ${typeof lossFn}`);
    const tape = new GradientTape();
    let loss: Tensor;
    let grads: (Tensor | null)[];
    try {
      tape.watch([...variables]);
      loss = lossFn();
      if (!(loss instanceof Tensor)) throw new ValueError(`${this.name}.minimize: the loss function must return a Tensor, got ${typeof loss}`);
      grads = tape.gradient(loss, [...variables]);
    } finally {
      tape.dispose();
    }
    this.applyGradients(grads, variables);
    return loss;
  }

  /** Subclass hyperparameters for `getConfig` (merged after the base options). */
  protected abstract hyperparameters(): Record<string, unknown>;

  /** JSON-friendly configuration; `OptimizerClass.fromConfig(config)` (or `optimizers.deserialize`) rebuilds it. */
  getConfig(): OptimizerConfig {
    const lr = this.rate;
    return {
      name: this.name,
      // A plain function cannot be serialized; its current value is kept, like a fixed rate.
      learningRate: lr instanceof LearningRateSchedule ? serializeSchedule(lr) : this.learningRate,
      weightDecay: this.weightDecay,
      clipNorm: this.clipNorm,
      clipValue: this.clipValue,
      globalClipNorm: this.globalClipNorm,
      ...this.hyperparameters(),
    };
  }

  /** Options for a constructor from a config (schedules revived). */
  static optionsFromConfig(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const lr = config.learningRate;
    const learningRate = lr !== null && typeof lr === 'object' ? deserializeSchedule(lr as ScheduleConfig) : lr;
    return { ...config, learningRate };
  }
}

/**
 * Constructor argument of every optimizer: a learning rate alone (`new Adam(0.1)`) or the options,
 * checked against `keys` when given (built-in optimizers always give theirs).
 */
export function optionsOf<O extends OptimizerOptions>(arg: LearningRate | O | undefined, where?: string, keys?: readonly string[]): O {
  if (arg === undefined) return {} as O;
  if (typeof arg === 'number' || typeof arg === 'function' || arg instanceof LearningRateSchedule) return { learningRate: arg } as O;
  if (keys) checkOptions(where ?? 'optimizer', arg, keys);
  return arg;
}
