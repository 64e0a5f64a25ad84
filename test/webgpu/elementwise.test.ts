// WebGPU elementwise kernels against the js reference: every unary, binary, compare, cast and
// where, with broadcasting, mixed dtypes and NaN/infinity edge values; and hand-checked values.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectSameAsJs, onGpu, rand, startWebGpu } from './gpu-test-utils.js';

const started = await startWebGpu();

const fn1 = (name: string) => (nb as unknown as Record<string, (x: nb.Tensor) => nb.Tensor>)[name]!;
const fn2 = (name: string) => (nb as unknown as Record<string, (a: nb.Tensor | number, b: nb.Tensor | number) => nb.Tensor>)[name]!;

const EDGES = [-Infinity, -3.5, -2, -1, -0.5, -0, 0, 0.25, 0.5, 1, 2.5, 3, Infinity, NaN];
const INTS = [-7, -3, -2, -1, 0, 1, 2, 3, 5, 8];

// name, float domain (values the op is defined on; edge values are checked separately)
const UNARY: [string, [number, number]][] = [
  ['neg', [-3, 3]], ['abs', [-3, 3]], ['sign', [-3, 3]], ['exp', [-5, 5]], ['expm1', [-2, 2]],
  ['log', [0.01, 10]], ['log1p', [-0.9, 10]], ['sqrt', [0, 10]], ['rsqrt', [0.1, 10]], ['square', [-3, 3]],
  ['reciprocal', [0.1, 4]], ['sin', [-3, 3]], ['cos', [-3, 3]], ['tan', [-1.2, 1.2]], ['asin', [-0.99, 0.99]],
  ['acos', [-0.99, 0.99]], ['atan', [-5, 5]], ['sinh', [-3, 3]], ['cosh', [-3, 3]], ['tanh', [-12, 12]],
  ['sigmoid', [-20, 20]], ['relu', [-3, 3]], ['erf', [-3, 3]], ['floor', [-3, 3]], ['ceil', [-3, 3]],
  ['round', [-3, 3]], ['isNaN', [-3, 3]], ['isFinite', [-3, 3]], ['isInf', [-3, 3]], ['logicalNot', [-1, 1]],
];
const INT_UNARY = ['neg', 'abs', 'sign', 'square', 'relu', 'floor', 'ceil', 'round', 'isNaN', 'isFinite', 'isInf', 'logicalNot', 'exp', 'sqrt'];
const BINARY = ['add', 'sub', 'mul', 'div', 'floorDiv', 'mod', 'pow', 'maximum', 'minimum', 'atan2'];
const INT_BINARY = ['add', 'sub', 'mul', 'div', 'floorDiv', 'mod', 'pow', 'maximum', 'minimum'];
const COMPARE = ['equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual', 'logicalAnd', 'logicalOr', 'logicalXor'];

if (started !== true) {
  describe('webgpu elementwise (no adapter here)', () => {
    it('setBackend rejects with the reason', () => {
      expect(started.message).toMatch(/webgpu/);
      expect(started.message.length).toBeGreaterThan(40);
    });
  });
} else {
  describe('webgpu elementwise kernels', () => {
    it('hand-checked values: broadcasting add, mul, and a comparison', async () => {
      const [sum, prod, gt] = await onGpu(() => {
        const a = nb.tensor([[1, 2, 3], [4, 5, 6]]);
        const b = nb.tensor([10, 20, 30]);
        return [nb.add(a, b), nb.mul(a, nb.tensor([[2], [-1]])), nb.greater(a, 3)];
      });
      expect(sum!.values).toEqual([11, 22, 33, 14, 25, 36]);
      expect(prod!.values).toEqual([2, 4, 6, -4, -5, -6]);
      expect(gt!.values).toEqual([0, 0, 0, 1, 1, 1]);
      expect(gt!.dtype).toBe('bool');
    });

    for (const [name, [lo, hi]] of UNARY) {
      it(`${name}: float32 over its domain and at edge values`, async () => {
        await expectSameAsJs(() => fn1(name)(rand([3, 5], lo, hi, name.length)), { rtol: 1e-5, atol: 2e-6 });
        await expectSameAsJs(() => fn1(name)(nb.tensor(EDGES)), { rtol: 1e-5, atol: 2e-6 });
      });
    }

    for (const name of INT_UNARY) {
      it(`${name}: int32`, async () => {
        await expectSameAsJs(() => fn1(name)(nb.tensor(INTS, 'int32')));
      });
    }

    for (const name of BINARY) {
      it(`${name}: float32, broadcast [2,1,4] with [3,1], scalars and edge values`, async () => {
        const safe = name === 'pow' ? [0.1, 3] : [-3, 3];
        await expectSameAsJs(() => fn2(name)(rand([2, 1, 4], safe[0], safe[1], 3), rand([3, 1], 0.5, 2, 4)), { rtol: 1e-5, atol: 2e-6 });
        await expectSameAsJs(() => fn2(name)(rand([5], -3, 3, 5), 2));
        await expectSameAsJs(() => fn2(name)(nb.tensor(EDGES).reshape([14, 1]), nb.tensor([-2, -0.5, 0, 1, 3, Infinity, NaN])), { rtol: 1e-5, atol: 2e-6 });
      });
    }

    for (const name of INT_BINARY) {
      it(`${name}: int32 (division by zero, negative operands) and mixed int32/float32`, async () => {
        const a = () => nb.tensor(INTS, 'int32').reshape([10, 1]);
        const b = () => nb.tensor([-3, -2, -1, 0, 1, 2, 3], 'int32');
        if (name === 'pow') await expectSameAsJs(() => nb.pow(a(), nb.tensor([-1, 0, 1, 2, 3], 'int32')));
        else await expectSameAsJs(() => fn2(name)(a(), b()));
        await expectSameAsJs(() => fn2(name)(a(), nb.tensor([0.5, 1.5, -2.5])), { rtol: 1e-5, atol: 2e-6 });
      });
    }

    for (const name of COMPARE) {
      it(`${name}: float32 with NaN, int32, bool`, async () => {
        await expectSameAsJs(() => fn2(name)(nb.tensor(EDGES).reshape([14, 1]), nb.tensor([-1, 0, 1, NaN, Infinity])));
        await expectSameAsJs(() => fn2(name)(nb.tensor(INTS, 'int32'), nb.tensor(2, 'int32')));
        await expectSameAsJs(() => fn2(name)(nb.tensor([true, false, true]), nb.tensor([[true], [false]])));
      });
    }

    it('cast between float32, int32 and bool (truncation, saturation, NaN)', async () => {
      const floats = [-3e9, -2.7, -0.5, -0, 0, 0.5, 2.7, 3e9, Infinity, -Infinity, NaN];
      for (const to of ['int32', 'bool', 'float32'] as const) {
        await expectSameAsJs(() => nb.cast(nb.tensor(floats), to));
        await expectSameAsJs(() => nb.cast(nb.tensor(INTS, 'int32'), to));
        await expectSameAsJs(() => nb.cast(nb.tensor([true, false, true]), to));
      }
    });

    it('where broadcasts condition, x and y; float and int', async () => {
      await expectSameAsJs(() => nb.where(nb.tensor([[true], [false]]), rand([2, 3], -1, 1, 9), rand([3], -1, 1, 10)));
      await expectSameAsJs(() => nb.where(nb.tensor([true, false, true]), nb.tensor([1, 2, 3], 'int32'), nb.tensor(-1, 'int32')));
    });

    it('empty tensors and scalars', async () => {
      await expectSameAsJs(() => nb.add(nb.zeros([0, 3]), nb.ones([3])));
      await expectSameAsJs(() => nb.exp(nb.tensor(2)));
    });
  });
}
