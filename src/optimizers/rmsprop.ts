import { add, div, mul, sub } from '../ops/primitives/binary.js';
import { optionKeys } from '../check-options.js';
import { sqrt, square } from '../ops/primitives/unary.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { OPTIMIZER_KEYS, Optimizer, optionsOf, type LearningRate, type OptimizerOptions } from './optimizer.js';

export interface RMSpropOptions extends OptimizerOptions {
  /** Decay of the squared-gradient average (default 0.9). */
  rho?: number;
  /** Default 0 (no momentum). */
  momentum?: number;
  /** Added under the square root (default 1e-7). */
  epsilon?: number;
  /** Divide by an estimate of the variance instead of the second moment (default false). */
  centered?: boolean;
}

const RMSPROP_KEYS = optionKeys<RMSpropOptions>({ ...OPTIMIZER_KEYS, rho: true, momentum: true, epsilon: true, centered: true });

/**
 * RMSprop, Keras 3's form: `s = rho·s + (1 - rho)·g²`, step `lr·g / sqrt(s + eps)` (centered:
 * `sqrt(s - a² + eps)` with `a` the running mean gradient), through a momentum buffer if set.
 * Default learning rate 0.001.
 */
export class RMSprop extends Optimizer {
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;

  constructor(opts?: LearningRate | RMSpropOptions) {
    const o = optionsOf<RMSpropOptions>(opts, 'RMSprop', RMSPROP_KEYS);
    super(o, 0.001, 'rmsprop');
    this.rho = Optimizer.inUnitInterval(this.name, 'rho', o.rho ?? 0.9);
    this.momentum = Optimizer.nonNegative(this.name, 'momentum', o.momentum ?? 0);
    this.epsilon = Optimizer.nonNegative(this.name, 'epsilon', o.epsilon ?? 1e-7);
    this.centered = o.centered ?? false;
  }

  /** An RMSprop from its `getConfig()` output. */
  static fromConfig(config: Readonly<Record<string, unknown>>): RMSprop {
    return new RMSprop(Optimizer.optionsFromConfig(config) as RMSpropOptions);
  }

  protected buildVariable(v: Variable): void {
    this.addSlot(v, 'velocity');
    if (this.momentum > 0) this.addSlot(v, 'momentum');
    if (this.centered) this.addSlot(v, 'averageGradient');
  }

  protected updateStep(g: Tensor, v: Variable, lr: Tensor): void {
    const rho = this.rho;
    const s = this.slot(v, 'velocity');
    s.assign(add(mul(s.value(), rho), mul(square(g), 1 - rho)));
    let denominator: Tensor;
    if (this.centered) {
      const a = this.slot(v, 'averageGradient');
      a.assign(add(mul(a.value(), rho), mul(g, 1 - rho)));
      denominator = add(sub(s.value(), square(a.value())), this.epsilon);
    } else {
      denominator = add(s.value(), this.epsilon);
    }
    const increment = div(mul(g, lr), sqrt(denominator));
    if (this.momentum > 0) {
      const m = this.slot(v, 'momentum');
      m.assign(add(mul(m.value(), this.momentum), increment));
      v.assign(sub(v.value(), m.value()));
    } else {
      v.assign(sub(v.value(), increment));
    }
  }

  protected hyperparameters(): Record<string, unknown> {
    return { rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }
}
