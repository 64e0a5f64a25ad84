// Keras callbacks: hooks the fit/evaluate/predict loops call, each optionally async.
import { checkOptions, optionKeys } from '../../check-options.js';
import { ValueError } from '../../errors.js';
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
  /** The model being trained, set by the loop before the first hook. */
  model: Trainer | null = null;
  /** What the loop said about the run (epochs, steps, metrics). */
  params: CallbackParams = {};

  /** Called by the loop with the model the callback serves. */
  setModel(model: Trainer): void {
    this.model = model;
  }
  /** Called by the loop with the run's parameters. */
  setParams(params: CallbackParams): void {
    this.params = params;
  }

  /** Called once before the first epoch of `fit`. */
  onTrainBegin(_logs?: Logs): Hook {}
  /** Called once after the last epoch of `fit`, with the final epoch's logs. */
  onTrainEnd(_logs?: Logs): Hook {}
  /** Called at the start of each epoch (0-based). */
  onEpochBegin(_epoch: number, _logs?: Logs): Hook {}
  /** Called at the end of each epoch with its loss, metrics and val_* values. */
  onEpochEnd(_epoch: number, _logs?: Logs): Hook {}
  /** Called before each training batch. */
  onTrainBatchBegin(_batch: number, _logs?: Logs): Hook {}
  /** Called after each training batch with the running loss and metrics. */
  onTrainBatchEnd(_batch: number, _logs?: Logs): Hook {}
  /** Called before evaluation (`evaluate` or validation in `fit`). */
  onTestBegin(_logs?: Logs): Hook {}
  /** Called after evaluation with its loss and metrics. */
  onTestEnd(_logs?: Logs): Hook {}
  /** Called before each evaluation batch. */
  onTestBatchBegin(_batch: number, _logs?: Logs): Hook {}
  /** Called after each evaluation batch with the running loss and metrics. */
  onTestBatchEnd(_batch: number, _logs?: Logs): Hook {}
  /** Called before `predict` runs. */
  onPredictBegin(_logs?: Logs): Hook {}
  /** Called after `predict` has run. */
  onPredictEnd(_logs?: Logs): Hook {}
  /** Called before each prediction batch. */
  onPredictBatchBegin(_batch: number, _logs?: Logs): Hook {}
  /** Called after each prediction batch. */
  onPredictBatchEnd(_batch: number, _logs?: Logs): Hook {}
}

/** Hooks as plain functions: `new LambdaCallback({ onEpochEnd: (epoch, logs) => ... })`. */
export type CallbackHooks = Partial<Pick<Callback, Exclude<keyof Callback, 'model' | 'params' | 'setModel' | 'setParams'>>>;

const HOOK_KEYS = optionKeys<CallbackHooks>({
  onTrainBegin: true, onTrainEnd: true, onEpochBegin: true, onEpochEnd: true, onTrainBatchBegin: true, onTrainBatchEnd: true,
  onTestBegin: true, onTestEnd: true, onTestBatchBegin: true, onTestBatchEnd: true, onPredictBegin: true, onPredictEnd: true,
  onPredictBatchBegin: true, onPredictBatchEnd: true,
});

/** A callback made of plain hook functions (a misspelt hook, such as `on_epoch_end`, is an error). */
export class LambdaCallback extends Callback {
  constructor(hooks: CallbackHooks) {
    checkOptions('LambdaCallback', hooks, HOOK_KEYS);
    super();
    Object.assign(this, hooks);
  }
}

type HookName = Exclude<keyof CallbackHooks, never>;

/** Runs every callback's hook in order, awaiting each. */
export class CallbackList {
  /** The callbacks in call order (plain hook objects wrapped as LambdaCallbacks). */
  readonly callbacks: Callback[];
  constructor(callbacks: readonly (Callback | CallbackHooks)[], model: Trainer, params: CallbackParams) {
    this.callbacks = callbacks.map((c) => (c instanceof Callback ? c : new LambdaCallback(c)));
    for (const c of this.callbacks) {
      c.setModel(model);
      c.setParams(params);
    }
  }

  /** Whether some callback does something in `hook` (the loops skip work, such as per-batch logs, that no one reads). */
  overrides(hook: HookName): boolean {
    const base = Callback.prototype[hook];
    return this.callbacks.some((c) => c[hook] !== base);
  }

  /**
   * Run `hook` on every callback in order, for a loop that cannot wait (predict on tensors returns
   * its result at once): a hook that returns a promise is an error, as nothing would await it.
   */
  callSync(op: string, hook: HookName, ...args: [number, Logs?] | [Logs?]): void {
    for (const c of this.callbacks) {
      const fn = c[hook] as (...a: unknown[]) => Hook;
      const r = fn.apply(c, args);
      if (r instanceof Promise) {
        // Its rejection is reported by the error below, not as an unhandled rejection.
        r.catch(() => undefined);
        throw new ValueError(
          `${op}: the callback hook ${hook} returned a Promise, but ${op} on tensors runs synchronously and cannot await it; make the hook synchronous, or predict a dataset (nb.data), which awaits its hooks`,
        );
      }
    }
  }

  /** Run `hook` on every callback in order, awaiting any that return a promise. */
  async call(hook: HookName, ...args: [number, Logs?] | [Logs?]): Promise<void> {
    for (const c of this.callbacks) {
      const fn = c[hook] as (...a: unknown[]) => Hook;
      const r = fn.apply(c, args);
      if (r instanceof Promise) await r;
    }
  }
}
