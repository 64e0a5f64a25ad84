import { add, div, mul, sub } from '../ops/primitives/binary.js';
import { optionKeys } from '../check-options.js';
import { sqrt, square } from '../ops/primitives/unary.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { OPTIMIZER_KEYS, Optimizer, optionsOf, type LearningRate, type OptimizerOptions } from './optimizer.js';

export interface AdagradOptions extends OptimizerOptions {
  /** Starting value of the squared-gradient sums (default 0.1). */
  initialAccumulatorValue?: number;
  /** Added under the square root (default 1e-7). */
  epsilon?: number;
}

const ADAGRAD_KEYS = optionKeys<AdagradOptions>({ ...OPTIMIZER_KEYS, initialAccumulatorValue: true, epsilon: true });

/** Adagrad, Keras 3's form: `acc += g²`, `v -= lr·g / sqrt(acc + eps)`. Default learning rate 0.001. */
export class Adagrad extends Optimizer {
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;

  constructor(opts?: LearningRate | AdagradOptions) {
    const o = optionsOf<AdagradOptions>(opts, 'Adagrad', ADAGRAD_KEYS);
    super(o, 0.001, 'adagrad');
    this.initialAccumulatorValue = Optimizer.nonNegative(this.name, 'initialAccumulatorValue', o.initialAccumulatorValue ?? 0.1);
    this.epsilon = Optimizer.nonNegative(this.name, 'epsilon', o.epsilon ?? 1e-7);
  }

  /** An Adagrad from its `getConfig()` output. */
  static fromConfig(config: Readonly<Record<string, unknown>>): Adagrad {
    return new Adagrad(Optimizer.optionsFromConfig(config) as AdagradOptions);
  }

  protected buildVariable(v: Variable): void {
    this.addSlot(v, 'accumulator', this.initialAccumulatorValue);
  }

  protected updateStep(g: Tensor, v: Variable, lr: Tensor): void {
    const acc = this.slot(v, 'accumulator');
    acc.assign(add(acc.value(), square(g)));
    v.assign(sub(v.value(), div(mul(g, lr), sqrt(add(acc.value(), this.epsilon)))));
  }

  protected hyperparameters(): Record<string, unknown> {
    return { initialAccumulatorValue: this.initialAccumulatorValue, epsilon: this.epsilon };
  }
}
