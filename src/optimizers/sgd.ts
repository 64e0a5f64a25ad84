import { add, mul, sub } from '../ops/primitives/binary.js';
import { optionKeys } from '../check-options.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { OPTIMIZER_KEYS, Optimizer, optionsOf, type LearningRate, type OptimizerOptions } from './optimizer.js';

export interface SGDOptions extends OptimizerOptions {
  /** Default 0 (plain gradient descent). */
  momentum?: number;
  /** Nesterov momentum (default false). */
  nesterov?: boolean;
}

const SGD_KEYS = optionKeys<SGDOptions>({ ...OPTIMIZER_KEYS, momentum: true, nesterov: true });

/**
 * Gradient descent with optional (Nesterov) momentum, Keras 3's rule: `m = momentum * m - lr * g`,
 * then `v += m` (or `v += momentum * m - lr * g` with Nesterov). Default learning rate 0.01.
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly nesterov: boolean;

  constructor(opts?: LearningRate | SGDOptions) {
    const o = optionsOf<SGDOptions>(opts, 'SGD', SGD_KEYS);
    super(o, 0.01, 'SGD');
    this.momentum = Optimizer.nonNegative(this.name, 'momentum', o.momentum ?? 0);
    this.nesterov = o.nesterov ?? false;
  }

  /** An SGD from its `getConfig()` output. */
  static fromConfig(config: Readonly<Record<string, unknown>>): SGD {
    return new SGD(Optimizer.optionsFromConfig(config) as SGDOptions);
  }

  protected buildVariable(v: Variable): void {
    if (this.momentum !== 0) this.addSlot(v, 'momentum');
  }

  protected updateStep(g: Tensor, v: Variable, lr: Tensor): void {
    if (this.momentum === 0) {
      v.assign(sub(v.value(), mul(g, lr)));
      return;
    }
    const m = this.slot(v, 'momentum');
    const step = mul(mul(g, lr), -1);
    m.assign(add(step, mul(m.value(), this.momentum)));
    v.assign(add(v.value(), this.nesterov ? add(step, mul(m.value(), this.momentum)) : m.value()));
  }

  protected hyperparameters(): Record<string, unknown> {
    return { momentum: this.momentum, nesterov: this.nesterov };
  }
}
