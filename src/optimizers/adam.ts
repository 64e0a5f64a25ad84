import { add, div, maximum, mul, pow, sub } from '../ops/primitives/binary.js';
import { optionKeys } from '../check-options.js';
import { sqrt, square } from '../ops/primitives/unary.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { OPTIMIZER_KEYS, Optimizer, optionsOf, type LearningRate, type OptimizerOptions } from './optimizer.js';

export interface AdamOptions extends OptimizerOptions {
  /** Decay of the first-moment estimate (default 0.9). */
  beta1?: number;
  /** Decay of the second-moment estimate (default 0.999). */
  beta2?: number;
  /** Added to the denominator (default 1e-7, as in Keras). */
  epsilon?: number;
  /** Use the running maximum of the second moment (AMSGrad, default false). */
  amsgrad?: boolean;
}

const ADAM_KEYS = optionKeys<AdamOptions>({ ...OPTIMIZER_KEYS, beta1: true, beta2: true, epsilon: true, amsgrad: true });

/**
 * Adam (Kingma & Ba), Keras 3's form: `m += (g - m)(1 - b1)`, `u += (g² - u)(1 - b2)`,
 * `v -= lr·sqrt(1 - b2^t)/(1 - b1^t) · m / (sqrt(u) + eps)`. Default learning rate 0.001.
 */
export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;

  constructor(opts?: LearningRate | AdamOptions, defaults: { name: string; weightDecay?: number } = { name: 'adam' }) {
    const o = optionsOf<AdamOptions>(opts, new.target.name, ADAM_KEYS);
    super({ ...o, weightDecay: o.weightDecay === undefined ? defaults.weightDecay : o.weightDecay }, 0.001, defaults.name);
    this.beta1 = Optimizer.inUnitInterval(this.name, 'beta1', o.beta1 ?? 0.9);
    this.beta2 = Optimizer.inUnitInterval(this.name, 'beta2', o.beta2 ?? 0.999);
    this.epsilon = Optimizer.nonNegative(this.name, 'epsilon', o.epsilon ?? 1e-7);
    this.amsgrad = o.amsgrad ?? false;
  }

  /** An Adam from its `getConfig()` output. */
  static fromConfig(config: Readonly<Record<string, unknown>>): Adam {
    return new Adam(Optimizer.optionsFromConfig(config) as AdamOptions);
  }

  protected buildVariable(v: Variable): void {
    this.addSlot(v, 'm');
    this.addSlot(v, 'v');
    if (this.amsgrad) this.addSlot(v, 'vHat');
  }

  // The bias-corrected step size depends only on (lr, step), which applyGradients shares among the
  // variables of one dtype: computed once per update, not once per variable (a jitted step would
  // otherwise repeat the scalar chain for every variable, as its constants are distinct tensors).
  private readonly stepSizes = new WeakMap<Tensor, Tensor>();

  private stepSize(lr: Tensor, step: Tensor): Tensor {
    let alpha = this.stepSizes.get(step);
    if (!alpha) this.stepSizes.set(step, (alpha = div(mul(lr, sqrt(sub(1, pow(this.beta2, step)))), sub(1, pow(this.beta1, step)))));
    return alpha;
  }

  protected updateStep(g: Tensor, v: Variable, lr: Tensor, step: Tensor): void {
    const alpha = this.stepSize(lr, step);
    const m = this.slot(v, 'm');
    const u = this.slot(v, 'v');
    m.assign(add(m.value(), mul(sub(g, m.value()), 1 - this.beta1)));
    u.assign(add(u.value(), mul(sub(square(g), u.value()), 1 - this.beta2)));
    let second = u.value();
    if (this.amsgrad) {
      const vHat = this.slot(v, 'vHat');
      vHat.assign(maximum(vHat.value(), second));
      second = vHat.value();
    }
    v.assign(sub(v.value(), div(mul(m.value(), alpha), add(sqrt(second), this.epsilon))));
  }

  protected hyperparameters(): Record<string, unknown> {
    return { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, amsgrad: this.amsgrad };
  }
}

/**
 * Adam with decoupled weight decay (Loshchilov & Hutter): each step first `v -= v·weightDecay·lr`,
 * then the Adam update. Default weight decay 0.004, as in Keras.
 */
export class AdamW extends Adam {
  constructor(opts?: LearningRate | AdamOptions) {
    super(opts, { name: 'adamw', weightDecay: 0.004 });
  }

  /** An AdamW from its `getConfig()` output. */
  static override fromConfig(config: Readonly<Record<string, unknown>>): AdamW {
    return new AdamW(Optimizer.optionsFromConfig(config) as AdamOptions);
  }
}
