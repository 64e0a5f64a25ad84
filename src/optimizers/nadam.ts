import { add, div, mul, sub } from '../ops/primitives/binary.js';
import { sqrt, square } from '../ops/primitives/unary.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../tensor/variable.js';
import { Optimizer, optionsOf, type LearningRate } from './optimizer.js';
import type { AdamOptions } from './adam.js';

export type NadamOptions = Omit<AdamOptions, 'amsgrad'>;

/**
 * Nadam (Adam with Nesterov momentum, Dozat), Keras 3's form with the momentum schedule
 * `mu_t = b1·(1 - 0.5·0.96^t)` and its running product. Default learning rate 0.001.
 */
export class Nadam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  // Product of mu_1..mu_t: a function of the step alone, so it is recomputed, not stored.
  private productStep = 0;
  private product = 1;

  constructor(opts?: LearningRate | NadamOptions) {
    const o = optionsOf<NadamOptions>(opts);
    super(o, 0.001, 'nadam');
    this.beta1 = Optimizer.inUnitInterval(this.name, 'beta1', o.beta1 ?? 0.9);
    this.beta2 = Optimizer.inUnitInterval(this.name, 'beta2', o.beta2 ?? 0.999);
    this.epsilon = Optimizer.nonNegative(this.name, 'epsilon', o.epsilon ?? 1e-7);
  }

  static fromConfig(config: Readonly<Record<string, unknown>>): Nadam {
    return new Nadam(Optimizer.optionsFromConfig(config) as NadamOptions);
  }

  private mu(t: number): number {
    return this.beta1 * (1 - 0.5 * 0.96 ** t);
  }

  protected override beforeUpdates(step: number): void {
    if (step < this.productStep) {
      this.productStep = 0;
      this.product = 1;
    }
    while (this.productStep < step) this.product *= this.mu(++this.productStep);
  }

  protected buildVariable(v: Variable): void {
    this.addSlot(v, 'm');
    this.addSlot(v, 'v');
  }

  protected updateStep(g: Tensor, v: Variable, lr: number, step: number): void {
    const muT = this.mu(step);
    const muNext = this.mu(step + 1);
    const productT = this.product;
    const productNext = productT * muNext;
    const m = this.slot(v, 'm');
    const u = this.slot(v, 'v');
    m.assign(add(m.value(), mul(sub(g, m.value()), 1 - this.beta1)));
    u.assign(add(u.value(), mul(sub(square(g), u.value()), 1 - this.beta2)));
    const mHat = add(mul(m.value(), muNext / (1 - productNext)), mul(g, (1 - muT) / (1 - productT)));
    const vHat = div(u.value(), 1 - this.beta2 ** step);
    v.assign(sub(v.value(), div(mul(mHat, lr), add(sqrt(vHat), this.epsilon))));
  }

  protected hyperparameters(): Record<string, unknown> {
    return { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
