import { ValueError } from '../errors.js';
import { optionKeys } from '../check-options.js';
import { add, mul, sub } from '../ops/primitives/binary.js';
import { sign } from '../ops/primitives/unary.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { OPTIMIZER_KEYS, Optimizer, optionsOf, type LearningRate, type OptimizerOptions } from './optimizer.js';

export interface LionOptions extends OptimizerOptions {
  /** Interpolation between momentum and gradient for the step's sign (default 0.9). */
  beta1?: number;
  /** Decay of the momentum (default 0.99). */
  beta2?: number;
}

const LION_KEYS = optionKeys<LionOptions>({ ...OPTIMIZER_KEYS, beta1: true, beta2: true });

/**
 * Lion (Chen et al., "Symbolic Discovery of Optimization Algorithms"), Keras 3's form:
 * `v -= lr·sign(b1·m + (1 - b1)·g)`, then `m = b2·m + (1 - b2)·g`. Default learning rate 0.001.
 */
export class Lion extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;

  constructor(opts?: LearningRate | LionOptions) {
    const o = optionsOf<LionOptions>(opts, 'Lion', LION_KEYS);
    super(o, 0.001, 'lion');
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = Optimizer.inUnitInterval(this.name, 'beta2', o.beta2 ?? 0.99);
    if (!(this.beta1 > 0 && this.beta1 <= 1)) throw new ValueError(`${this.name}: beta1 must be in (0, 1], got ${String(o.beta1)}`);
  }

  /** A Lion from its `getConfig()` output. */
  static fromConfig(config: Readonly<Record<string, unknown>>): Lion {
    return new Lion(Optimizer.optionsFromConfig(config) as LionOptions);
  }

  protected buildVariable(v: Variable): void {
    this.addSlot(v, 'm');
  }

  protected updateStep(g: Tensor, v: Variable, lr: Tensor): void {
    const m = this.slot(v, 'm');
    const direction = sign(add(mul(m.value(), this.beta1), mul(g, 1 - this.beta1)));
    v.assign(sub(v.value(), mul(direction, lr)));
    m.assign(add(mul(m.value(), this.beta2), mul(g, 1 - this.beta2)));
  }

  protected hyperparameters(): Record<string, unknown> {
    return { beta1: this.beta1, beta2: this.beta2 };
  }
}
