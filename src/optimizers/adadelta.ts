import { add, div, mul } from '../ops/primitives/binary.js';
import { optionKeys } from '../check-options.js';
import { neg, sqrt, square } from '../ops/primitives/unary.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { OPTIMIZER_KEYS, Optimizer, optionsOf, type LearningRate, type OptimizerOptions } from './optimizer.js';

export interface AdadeltaOptions extends OptimizerOptions {
  /** Decay of both running averages (default 0.95). */
  rho?: number;
  /** Added under the square roots (default 1e-7). */
  epsilon?: number;
}

const ADADELTA_KEYS = optionKeys<AdadeltaOptions>({ ...OPTIMIZER_KEYS, rho: true, epsilon: true });

/**
 * Adadelta (Zeiler), Keras 3's form: `Eg = rho·Eg + (1 - rho)·g²`,
 * `d = -sqrt(Ed + eps)·g / sqrt(Eg + eps)`, `Ed = rho·Ed + (1 - rho)·d²`, `v += lr·d`.
 * Default learning rate 0.001.
 */
export class Adadelta extends Optimizer {
  readonly rho: number;
  readonly epsilon: number;

  constructor(opts?: LearningRate | AdadeltaOptions) {
    const o = optionsOf<AdadeltaOptions>(opts, 'Adadelta', ADADELTA_KEYS);
    super(o, 0.001, 'adadelta');
    this.rho = Optimizer.inUnitInterval(this.name, 'rho', o.rho ?? 0.95);
    this.epsilon = Optimizer.nonNegative(this.name, 'epsilon', o.epsilon ?? 1e-7);
  }

  /** An Adadelta from its `getConfig()` output. */
  static fromConfig(config: Readonly<Record<string, unknown>>): Adadelta {
    return new Adadelta(Optimizer.optionsFromConfig(config) as AdadeltaOptions);
  }

  protected buildVariable(v: Variable): void {
    this.addSlot(v, 'accumulatedGrad');
    this.addSlot(v, 'accumulatedDelta');
  }

  protected updateStep(g: Tensor, v: Variable, lr: Tensor): void {
    const rho = this.rho;
    const rms = (x: Tensor) => sqrt(add(x, this.epsilon));
    const eg = this.slot(v, 'accumulatedGrad');
    const ed = this.slot(v, 'accumulatedDelta');
    eg.assign(add(mul(eg.value(), rho), mul(square(g), 1 - rho)));
    const delta = div(mul(neg(rms(ed.value())), g), rms(eg.value()));
    ed.assign(add(mul(ed.value(), rho), mul(square(delta), 1 - rho)));
    v.assign(add(v.value(), mul(delta, lr)));
  }

  protected hyperparameters(): Record<string, unknown> {
    return { rho: this.rho, epsilon: this.epsilon };
  }
}
