// Weights by unique path name (`dense_1/kernel`) and assigning a file's tensors to them by name,
// with one error that lists every missing, unexpected and mis-shaped weight.
import { engine } from '../engine/engine.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { cast } from '../ops/primitives/cast.js';
import { shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';

/** Anything with weights (a layer or a model). */
export interface HasWeights {
  readonly name: string;
  readonly weights: Variable[];
}

/**
 * `[path, variable]` for every weight, in `weights` order. A weight's path is its variable name
 * (`<layer name>/<weight name>`); a repeated name gets `_1`, `_2`, ... so every path is unique.
 */
export function namedWeights(model: HasWeights): [string, Variable][] {
  const used = new Set<string>();
  return model.weights.map((v) => {
    let path = v.name;
    for (let k = 1; used.has(path); k++) path = `${v.name}_${k}`;
    used.add(path);
    return [path, v];
  });
}

/** The values of `named` as a record for a safetensors file. */
export function weightRecord(named: readonly [string, Variable][], prefix = ''): Record<string, Tensor> {
  return Object.fromEntries(named.map(([path, v]) => [prefix + path, v.value()]));
}

/**
 * Assign `values[path]` to each `[path, variable]`; nothing is assigned unless every weight has a
 * value of its shape and (unless `allowUnexpected`) every value has a weight.
 */
export function assignByName(op: string, named: readonly [string, Variable][], values: Record<string, Tensor>, source: string, allowUnexpected = false): void {
  const missing: string[] = [];
  const misShaped: string[] = [];
  for (const [path, v] of named) {
    const t = values[path];
    if (!t) missing.push(path);
    else if (!shapesEqual(t.shape, v.shape)) misShaped.push(`${path} (file ${fmtShape(t.shape)}, model ${fmtShape(v.shape)})`);
  }
  const known = new Set(named.map(([p]) => p));
  const unexpected = allowUnexpected ? [] : Object.keys(values).filter((k) => !known.has(k));
  if (missing.length || misShaped.length || unexpected.length) {
    const parts = [
      missing.length ? `missing from the file: ${missing.join(', ')}` : '',
      unexpected.length ? `in the file but not in the model: ${unexpected.join(', ')}` : '',
      misShaped.length ? `shapes differ: ${misShaped.join(', ')}` : '',
    ].filter(Boolean);
    const Err = misShaped.length && !missing.length && !unexpected.length ? ShapeError : ValueError;
    throw new Err(`${op}: the weights in ${source} do not match the model; ${parts.join('; ')}`);
  }
  engine.pauseRecording(() => {
    for (const [path, v] of named) {
      const t = values[path]!;
      v.assign(t.dtype === v.dtype ? t : cast(t, v.dtype));
    }
  });
}
