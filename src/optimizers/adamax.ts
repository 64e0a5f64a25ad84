import { abs } from '../ops/primitives/unary.js';
import { optionKeys } from '../check-options.js';
import { add, div, maximum, mul, pow, sub } from '../ops/primitives/binary.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { OPTIMIZER_KEYS, Optimizer, optionsOf, type LearningRate } from './optimizer.js';
import type { AdamOptions } from './adam.js';

/** Options of {@link Adamax}: Adam's, without `amsgrad`. */
export type AdamaxOptions = Omit<AdamOptions, 'amsgrad'>;

const ADAMAX_KEYS = optionKeys<AdamaxOptions>({ ...OPTIMIZER_KEYS, beta1: true, beta2: true, epsilon: true });

/**
 * Adamax (Adam with the infinity norm), Keras 3's form: `m += (g - m)(1 - b1)`,
 * `u = max(b2·u, |g|)`, `v -= lr·m / ((1 - b1^t)(u + eps))`. Default learning rate 0.001.
 */
export class Adamax extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(opts?: LearningRate | AdamaxOptions) {
    const o = optionsOf<AdamaxOptions>(opts, 'Adamax', ADAMAX_KEYS);
    super(o, 0.001, 'adamax');
    this.beta1 = Optimizer.inUnitInterval(this.name, 'beta1', o.beta1 ?? 0.9);
    this.beta2 = Optimizer.inUnitInterval(this.name, 'beta2', o.beta2 ?? 0.999);
    this.epsilon = Optimizer.nonNegative(this.name, 'epsilon', o.epsilon ?? 1e-7);
  }

  /** An Adamax from its `getConfig()` output. */
  static fromConfig(config: Readonly<Record<string, unknown>>): Adamax {
    return new Adamax(Optimizer.optionsFromConfig(config) as AdamaxOptions);
  }

  protected buildVariable(v: Variable): void {
    this.addSlot(v, 'm');
    this.addSlot(v, 'u');
  }

  protected updateStep(g: Tensor, v: Variable, lr: Tensor, step: Tensor): void {
    const m = this.slot(v, 'm');
    const u = this.slot(v, 'u');
    m.assign(add(m.value(), mul(sub(g, m.value()), 1 - this.beta1)));
    u.assign(maximum(mul(u.value(), this.beta2), abs(g)));
    const scale = div(lr, sub(1, pow(this.beta1, step)));
    v.assign(sub(v.value(), div(mul(m.value(), scale), add(u.value(), this.epsilon))));
  }

  protected hyperparameters(): Record<string, unknown> {
    return { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
