import { add, div, mul, pow, sub } from '../ops/primitives/binary.js';
import { optionKeys } from '../check-options.js';
import { cast } from '../ops/primitives/cast.js';
import { sqrt, square } from '../ops/primitives/unary.js';
import type { DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { OPTIMIZER_KEYS, Optimizer, optionsOf, type LearningRate } from './optimizer.js';
import type { AdamOptions } from './adam.js';

/** Options of {@link Nadam}: Adam's, without `amsgrad`. */
export type NadamOptions = Omit<AdamOptions, 'amsgrad'>;

const NADAM_KEYS = optionKeys<NadamOptions>({ ...OPTIMIZER_KEYS, beta1: true, beta2: true, epsilon: true });

/**
 * Nadam (Adam with Nesterov momentum, Dozat), Keras 3's form with the momentum schedule
 * `mu_t = b1·(1 - 0.5·0.96^t)` and its running product. Default learning rate 0.001.
 */
export class Nadam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Product mu_1···mu_t, in the dtype of the first variable built (as in Keras). */
  private uProduct: Variable | null = null;

  constructor(opts?: LearningRate | NadamOptions) {
    const o = optionsOf<NadamOptions>(opts, 'Nadam', NADAM_KEYS);
    super(o, 0.001, 'nadam');
    this.beta1 = Optimizer.inUnitInterval(this.name, 'beta1', o.beta1 ?? 0.9);
    this.beta2 = Optimizer.inUnitInterval(this.name, 'beta2', o.beta2 ?? 0.999);
    this.epsilon = Optimizer.nonNegative(this.name, 'epsilon', o.epsilon ?? 1e-7);
  }

  /** A Nadam from its `getConfig()` output. */
  static fromConfig(config: Readonly<Record<string, unknown>>): Nadam {
    return new Nadam(Optimizer.optionsFromConfig(config) as NadamOptions);
  }

  private mu(t: Tensor): Tensor {
    return mul(sub(1, mul(pow(0.96, t), 0.5)), this.beta1);
  }

  protected override beforeUpdates(stepIn: (dtype: DType) => Tensor): void {
    const u = this.uProduct!;
    u.assign(mul(u.value(), this.mu(stepIn(u.dtype))));
  }

  protected buildVariable(v: Variable): void {
    this.uProduct ??= this.addStateVariable('u_product', 1, v.dtype);
    this.addSlot(v, 'm');
    this.addSlot(v, 'v');
  }

  protected updateStep(g: Tensor, v: Variable, lr: Tensor, step: Tensor): void {
    const muT = this.mu(step);
    const muNext = this.mu(add(step, 1));
    const u = this.uProduct!.value();
    const productT = u.dtype === v.dtype ? u : cast(u, v.dtype);
    const productNext = mul(productT, muNext);
    const m = this.slot(v, 'm');
    const s = this.slot(v, 'v');
    m.assign(add(m.value(), mul(sub(g, m.value()), 1 - this.beta1)));
    s.assign(add(s.value(), mul(sub(square(g), s.value()), 1 - this.beta2)));
    const mHat = add(mul(m.value(), div(muNext, sub(1, productNext))), mul(g, div(sub(1, muT), sub(1, productT))));
    const vHat = div(s.value(), sub(1, pow(this.beta2, step)));
    v.assign(sub(v.value(), div(mul(mHat, lr), add(sqrt(vHat), this.epsilon))));
  }

  protected hyperparameters(): Record<string, unknown> {
    return { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
