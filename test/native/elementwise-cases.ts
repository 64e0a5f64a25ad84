// The float32 elementwise loops of native/src/simd/ (unary, binary and compare in every operand
// mode, where, the sum/max/min folds, a fused chain through every fast path) as raw addon calls,
// each with the same computation in nabla ops for the js backend. Sizes leave vector tails and
// span several fused tiles; inputs hold NaN, infinities, signed zeros and subnormals.
import * as nb from '../../src/index.js';
import { randomArray } from './random-inputs.js';

/** One addon call: entry name, op code (null for entries without one), words, inputs by name, output. */
export interface RawCase {
  name: string;
  entry: string;
  op: number | null;
  words: number[];
  inputs: string[];
  out: { bool: boolean; length: number };
}

export interface ElementwiseCase extends RawCase {
  /** The same result from nabla ops (run on js); tolerance 0 means equal as Object.is. */
  reference: (t: Record<string, nb.Tensor>) => nb.Tensor;
  tolerance: number;
}

export const ROWS = 70;
export const COLS = 67;
export const N = ROWS * COLS;

/** Inputs: x, y [N]; row [COLS]; s and zero (one value); cond [N] (bool). */
export function caseInputs(): Record<string, { data: Float32Array | Uint8Array; shape: number[]; dtype: 'float32' | 'bool' }> {
  const x = randomArray('float32', N, 11, { specials: true }) as Float32Array;
  x[3] = 1e-41; // a subnormal
  return {
    x: { data: x, shape: [N], dtype: 'float32' },
    y: { data: randomArray('float32', N, 12, { specials: true }) as Float32Array, shape: [N], dtype: 'float32' },
    row: { data: randomArray('float32', COLS, 13, { specials: true }) as Float32Array, shape: [COLS], dtype: 'float32' },
    s: { data: Float32Array.of(0.75), shape: [], dtype: 'float32' },
    zero: { data: Float32Array.of(0), shape: [], dtype: 'float32' },
    cond: { data: randomArray('bool', N, 14) as Uint8Array, shape: [N], dtype: 'bool' },
  };
}

const shapeWords = (...shapes: number[][]) => shapes.flatMap((s) => [s.length, ...s]);
const call = (name: string) => (nb as unknown as Record<string, (...a: unknown[]) => nb.Tensor>)[name]!;

export function elementwiseCases(names: { unary: string[]; binary: string[]; reduce: string[] }): ElementwiseCase[] {
  const cases: ElementwiseCase[] = [];
  for (const op of ['neg', 'abs', 'sqrt', 'square', 'reciprocal', 'relu']) {
    cases.push({ name: op, entry: 'unary', op: names.unary.indexOf(op), words: [], inputs: ['x'], out: { bool: false, length: N },
      reference: (t) => call(op)(t.x), tolerance: 0 });
  }
  const modes: [string, string, string, number[], number[], number[]][] = [
    ['arrays', 'x', 'y', [N], [N], [N]],
    ['array, value', 'x', 's', [N], [], [N]],
    ['value, array', 's', 'y', [], [N], [N]],
    ['rows + row', 'x', 'row', [ROWS, COLS], [COLS], [ROWS, COLS]],
  ];
  const compares = ['equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual'];
  for (const op of ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', ...compares]) {
    for (const [mode, a, b, as, bs, os] of modes) {
      cases.push({ name: `${op} (${mode})`, entry: 'binary', op: names.binary.indexOf(op), words: shapeWords(as, bs, os), inputs: [a, b],
        out: { bool: compares.includes(op), length: N }, reference: (t) => call(op)(t[a]!.reshape(as), t[b]!.reshape(bs)), tolerance: 0 });
    }
  }
  for (const [mode, a, b, as, bs] of [['arrays', 'x', 'y', [N], [N]], ['array, value', 'x', 's', [N], []], ['value, array', 's', 'y', [], [N]]] as const) {
    cases.push({ name: `where (${mode})`, entry: 'where', op: null, words: shapeWords([N], [...as], [...bs], [N]), inputs: ['cond', a, b],
      out: { bool: false, length: N }, reference: (t) => nb.where(t.cond!, t[a]!, t[b]!), tolerance: 0 });
  }
  // Rows of 70 run the eight-lane sum (and its tail); columns fold each row into 67 outputs (runs of at
  // least kMinLoopRun go through the SIMD loops).
  // The lanes add in another order than js's one running sum: close, not always equal.
  const reduces: [string, number[], number, number][] = [['sum', [COLS, ROWS], 1, 1e-6], ['sum', [ROWS, COLS], 0, 0], ['max', [ROWS, COLS], 0, 0], ['min', [ROWS, COLS], 0, 0]];
  for (const [op, shape, axis, tolerance] of reduces) {
    cases.push({ name: `${op} over axis ${axis} of [${shape}]`, entry: 'reduce', op: names.reduce.indexOf(op), words: [...shapeWords(shape), 1, axis],
      inputs: ['x'], out: { bool: false, length: N / shape[axis]! }, reference: (t) => call(op)(t.x!.reshape(shape), axis), tolerance });
  }
  cases.push(fusedChain(names));
  return cases;
}

/** A fused program through every float32 fast path of native/src/fused.cc, with its nabla twin. */
function fusedChain(names: { unary: string[]; binary: string[] }): ElementwiseCase {
  const [F32, BOOL] = [0, 3];
  const u = (op: string, r: number) => [0, names.unary.indexOf(op), F32, r];
  const b = (op: string, dtype: number, r: number, q: number) => [1, names.binary.indexOf(op), dtype, r, q];
  const w = (c: number, r: number, q: number) => [2, 0, F32, c, r, q];
  // Registers 0..3 are x, y, s, zero; instruction k writes register 4 + k.
  const program = [
    b('greater', BOOL, 0, 3), w(4, 1, 3), b('less', BOOL, 2, 1), w(6, 2, 0), b('mul', F32, 5, 2), b('div', F32, 2, 7),
    b('maximum', F32, 8, 9), b('minimum', F32, 10, 2), u('abs', 11), u('sqrt', 12), b('sub', F32, 13, 0), b('add', F32, 14, 5),
    u('square', 15), u('reciprocal', 16), u('neg', 17), u('relu', 15), b('add', F32, 19, 18),
  ];
  // One output: the last register.
  const words = [1, 4 + program.length - 1, N, program.length, ...program.flat()];
  const reference = (t: Record<string, nb.Tensor>) => {
    const { x, y, s, zero } = t as Record<'x' | 'y' | 's' | 'zero', nb.Tensor>;
    const r5 = nb.where(nb.greater(x, zero), y, zero);
    const r7 = nb.where(nb.less(s, y), s, x);
    const r11 = nb.minimum(nb.maximum(nb.mul(r5, s), nb.div(s, r7)), s);
    const r15 = nb.add(nb.sub(nb.sqrt(nb.abs(r11)), x), r5);
    return nb.add(nb.relu(r15), nb.neg(nb.reciprocal(nb.square(r15))));
  };
  return { name: 'fused chain', entry: 'fusedElementwise', op: null, words: [words.length, ...words], inputs: ['x', 'y', 's', 'zero'],
    out: { bool: false, length: N }, reference, tolerance: 0 };
}
