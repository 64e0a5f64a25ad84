// Keras callbacks: hooks the fit/evaluate/predict loops call, each optionally async.
import type { Trainer } from '../trainer.js';

/** Numbers reported to callbacks: loss, metrics, val_* and anything a callback adds (lr). */
export type Logs = Record<string, number>;

/** What the loop tells callbacks about the run (Keras's `callback.params`). */
export interface CallbackParams {
  epochs?: number;
  /** Batches per epoch, when known. */
  steps?: number | null;
  verbose?: number;
  /** Metric names that will appear in logs, in order (loss first). */
  metrics?: string[];
}

type Hook = void | Promise<void>;

/** Base class of callbacks: override the hooks you need. */
export class Callback {
  model: Trainer | null = null;
  params: CallbackParams = {};

  setModel(model: Trainer): void {
    this.model = model;
  }
  setParams(params: CallbackParams): void {
    this.params = params;
  }

  onTrainBegin(_logs?: Logs): Hook {}
  onTrainEnd(_logs?: Logs): Hook {}
  onEpochBegin(_epoch: number, _logs?: Logs): Hook {}
  onEpochEnd(_epoch: number, _logs?: Logs): Hook {}
  onTrainBatchBegin(_batch: number, _logs?: Logs): Hook {}
  onTrainBatchEnd(_batch: number, _logs?: Logs): Hook {}
  onTestBegin(_logs?: Logs): Hook {}
  onTestEnd(_logs?: Logs): Hook {}
  onTestBatchBegin(_batch: number, _logs?: Logs): Hook {}
  onTestBatchEnd(_batch: number, _logs?: Logs): Hook {}
  onPredictBegin(_logs?: Logs): Hook {}
  onPredictEnd(_logs?: Logs): Hook {}
  onPredictBatchBegin(_batch: number, _logs?: Logs): Hook {}
  onPredictBatchEnd(_batch: number, _logs?: Logs): Hook {}
}

/** Hooks as plain functions: `new LambdaCallback({ onEpochEnd: (epoch, logs) => ... })`. */
export type CallbackHooks = Partial<Pick<Callback, Exclude<keyof Callback, 'model' | 'params' | 'setModel' | 'setParams'>>>;

export class LambdaCallback extends Callback {
  constructor(hooks: CallbackHooks) {
    super();
    Object.assign(this, hooks);
  }
}

type HookName = Exclude<keyof CallbackHooks, never>;

/** Runs every callback's hook in order, awaiting each. */
export class CallbackList {
  readonly callbacks: Callback[];
  constructor(callbacks: readonly (Callback | CallbackHooks)[], model: Trainer, params: CallbackParams) {
    this.callbacks = callbacks.map((c) => (c instanceof Callback ? c : new LambdaCallback(c)));
    for (const c of this.callbacks) {
      c.setModel(model);
      c.setParams(params);
    }
  }

  async call(hook: HookName, ...args: [number, Logs?] | [Logs?]): Promise<void> {
    for (const c of this.callbacks) {
      const fn = c[hook] as (...a: unknown[]) => Hook;
      const r = fn.apply(c, args);
      if (r instanceof Promise) await r;
    }
  }
}
