// The checks every layer gets (like Keras's run_layer_test): output shape against
// computeOutputShape (eager and symbolic), weight counts, a getConfig/fromConfig round trip that
// computes the same outputs, a training step that lowers a loss, and gradients of the inputs and
// of the trainable weights against central finite differences in float64.
import { expect } from 'vitest';
import * as nb from '../../src/index.js';
import { checkGrad, sample } from '../conformance/harness.js';

type Shape = (number | null)[];

export interface LayerTestSpec {
  /** A fresh layer; `dtype` is 'float64' for the gradient check. */
  make: (args: { dtype: nb.DType }) => nb.layers.Layer;
  /** Concrete input shape(s), batch included; several for merge layers. */
  inputShape: number[] | number[][];
  /** Expected output shape for that input (batch included). */
  expectedOutputShape: number[];
  /** Total and trainable weight counts after building. */
  weights: number;
  trainableWeights?: number;
  /** Integer inputs in [0, intRange) (Embedding) instead of floats in [-1, 1]. */
  intRange?: number;
  /** Check that a few optimizer steps lower an MSE loss (default: when the layer has trainable weights). */
  train?: boolean;
  /** Skip the finite-difference check (integer inputs have no gradient). */
  gradCheck?: boolean;
  /** The config holds functions (Lambda): round-trip it without JSON. */
  configHasFunctions?: boolean;
  gradTolerance?: { rtol?: number; atol?: number };
}

function inputsFor(spec: LayerTestSpec, dtype: nb.DType, seed: number): nb.Tensor[] {
  const shapes = (Array.isArray(spec.inputShape[0]) ? spec.inputShape : [spec.inputShape]) as number[][];
  return shapes.map((s, i) => {
    if (spec.intRange !== undefined) return nb.floor(sample(s, 0, spec.intRange, seed + i)).cast('int32');
    return nb.cast(sample(s, -1, 1, seed + i), dtype);
  });
}

const isMulti = (spec: LayerTestSpec) => Array.isArray(spec.inputShape[0]);
const arg = (spec: LayerTestSpec, xs: nb.Tensor[]) => (isMulti(spec) ? xs : xs[0]!);
const nullBatch = (s: readonly number[]): Shape => [null, ...s.slice(1)];

export function runLayerTest(spec: LayerTestSpec): void {
  const xs = inputsFor(spec, 'float32', 3);
  const layer = spec.make({ dtype: 'float32' });

  // Output shape, eagerly and symbolically, against computeOutputShape.
  const y = layer.apply(arg(spec, xs) as nb.Tensor);
  expect(y.shape, 'eager output shape').toEqual(spec.expectedOutputShape);
  const inShapes = xs.map((x) => nullBatch(x.shape));
  const declared = layer.computeOutputShape(isMulti(spec) ? inShapes : inShapes[0]!);
  expect(declared, 'computeOutputShape').toEqual(nullBatch(spec.expectedOutputShape));
  const symbolicInputs = xs.map((x) => nb.keras.Input(x.shape.slice(1), { dtype: x.dtype }));
  const sym = spec.make({ dtype: 'float32' }).apply(arg(spec, symbolicInputs as never) as never) as unknown as nb.SymbolicTensor;
  expect(sym.shape, 'symbolic output shape').toEqual(nullBatch(spec.expectedOutputShape));

  // Weights.
  expect(layer.weights.length, 'weights').toBe(spec.weights);
  if (spec.trainableWeights !== undefined) expect(layer.trainableWeights.length, 'trainable weights').toBe(spec.trainableWeights);
  expect(layer.countParams()).toBe(layer.weights.reduce((n, w) => n + w.size, 0));

  // Config round trip: an equal config, and the same outputs once given the same weights.
  const config = layer.getConfig();
  const plain = spec.configHasFunctions ? config : (JSON.parse(JSON.stringify(config)) as Record<string, unknown>);
  const cls = layer.constructor as unknown as { fromConfig(c: Record<string, unknown>): nb.layers.Layer };
  const clone = cls.fromConfig(plain);
  expect(clone.className).toBe(layer.className);
  expect(clone.getConfig()).toEqual(config);
  clone.apply(arg(spec, xs) as nb.Tensor);
  clone.setWeights(layer.getWeights());
  const a = layer.apply(arg(spec, xs) as nb.Tensor, { training: false }).dataSync();
  const b = clone.apply(arg(spec, xs) as nb.Tensor, { training: false }).dataSync();
  expect(Array.from(b)).toEqual(Array.from(a));

  // A few optimizer steps lower an MSE loss towards a fixed target.
  if (spec.train ?? layer.trainableWeights.length > 0) {
    const fresh = spec.make({ dtype: 'float32' });
    const model = new nb.Model({ inputs: symbolicInputs.length > 1 ? symbolicInputs : symbolicInputs[0]!, outputs: fresh.apply(arg(spec, symbolicInputs as never) as never) as unknown as nb.SymbolicTensor });
    model.compile({ optimizer: new nb.optimizers.SGD(0.05), loss: 'mse' });
    const target = sample(spec.expectedOutputShape, -1, 1, 11).cast('float32');
    const first = model.trainOnBatch(xs.length > 1 ? xs : xs[0]!, target) as number;
    let last = first;
    for (let i = 0; i < 5; i++) last = model.trainOnBatch(xs.length > 1 ? xs : xs[0]!, target) as number;
    expect(last, 'loss after 6 steps').toBeLessThan(first);
  }

  // Input gradients against finite differences, the whole layer in float64.
  if (spec.gradCheck ?? spec.intRange === undefined) {
    const layer64 = spec.make({ dtype: 'float64' });
    const xs64 = inputsFor(spec, 'float64', 5);
    layer64.apply(arg(spec, xs64) as nb.Tensor);
    checkGrad((...ts) => layer64.apply(arg(spec, ts) as nb.Tensor, { training: false }), xs64, spec.gradTolerance);
    checkWeightGradients(() => layer64.apply(arg(spec, xs64) as nb.Tensor, { training: false }), layer64.trainableWeights, spec.gradTolerance);
  }
}

/** The tape's gradient of sum(f() * w) with respect to each weight against central differences (a few elements each). */
function checkWeightGradients(f: () => nb.Tensor, weights: nb.Variable[], tol: { rtol?: number; atol?: number } = {}): void {
  const cotangent = sample([...f().shape], -1, 1, 13);
  const scalar = () => nb.sum(nb.mul(nb.cast(f(), 'float64'), cotangent));
  const eps = 1e-6;
  for (const v of weights) {
    const tape = new nb.GradientTape();
    const grad = tape.gradient(scalar(), v, { unconnectedGradients: 'zero' });
    expect(grad.shape, `gradient shape of ${v.name}`).toEqual(v.shape);
    const analytic = grad.dataSync();
    const base = v.dataSync() as Float64Array;
    const at = (values: Float64Array) => {
      v.assign(nb.tensor(values, [...v.shape], 'float64'));
      return scalar().item();
    };
    const step = Math.max(1, Math.floor(base.length / 5));
    for (let k = 0; k < base.length; k += step) {
      const plus = base.slice();
      const minus = base.slice();
      plus[k]! += eps;
      minus[k]! -= eps;
      const numeric = (at(plus) - at(minus)) / (2 * eps);
      v.assign(nb.tensor(base, [...v.shape], 'float64'));
      const a = analytic[k]!;
      if (!(Math.abs(a - numeric) <= (tol.atol ?? 1e-7) + (tol.rtol ?? 1e-5) * Math.abs(numeric))) {
        throw new Error(`gradient of weight ${v.name} element ${k}: tape ${a}, finite difference ${numeric}`);
      }
    }
  }
}
