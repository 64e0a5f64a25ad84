// nabla's random op as ONNX RandomUniform / RandomNormal. The runtime draws with its own
// generator, so an exported graph gives other numbers than nabla from the same distribution; an
// op-level seed becomes the node's seed (the runtime then repeats its own numbers run to run).
import { ValueError } from '../../../errors.js';
import type { DType } from '../../../tensor/dtype.js';
import { ONNX_DTYPE } from '../proto.js';
import { ONNX_OF, type Emit } from './emit.js';

type Distribution =
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'normal'; mean: number; stddev: number; truncated: boolean }
  | { kind: 'int'; min: number; max: number };

interface RandomAttrs {
  shape: number[];
  dtype: DType;
  key: [number, number];
  dist: Distribution;
  fromGenerator: boolean;
}

const FLOAT_CODE: Partial<Record<DType, number>> = { float32: ONNX_DTYPE.FLOAT, float64: ONNX_DTYPE.DOUBLE };

export const RANDOM_EXPORTS: Readonly<Record<string, Emit>> = {
  random: (b, n) => {
    const a = n.attrs as unknown as RandomAttrs;
    // A seed ONNX stores as a float: the key's top 24 bits are exact in float32.
    const seed = a.fromGenerator ? undefined : { float: a.key[0] >>> 8 };
    const d = a.dist;
    if (d.kind === 'normal') {
      if (d.truncated) throw new ValueError('onnx.save: random.truncatedNormal has no ONNX operator (ONNX has RandomUniform and RandomNormal only)');
      return [b.add1('RandomNormal', [], { shape: a.shape, dtype: FLOAT_CODE[a.dtype], mean: { float: d.mean }, scale: { float: d.stddev }, seed })];
    }
    if (d.kind === 'uniform') {
      return [b.add1('RandomUniform', [], { shape: a.shape, dtype: FLOAT_CODE[a.dtype], low: { float: d.min }, high: { float: d.max }, seed })];
    }
    // Integers in [min, max): floor of a uniform draw in [min, max).
    const u = b.add1('RandomUniform', [], { shape: a.shape, dtype: ONNX_DTYPE.DOUBLE, low: { float: d.min }, high: { float: d.max }, seed });
    return [b.add1('Cast', [b.add1('Floor', [u])], { to: ONNX_OF[a.dtype] })];
  },
};
