// The wasm GEMM under other float32 cache blockings (WasmModule.setGemmBlocking, the tuning hook the
// blocking bench uses): small blocks make a product walk many (column block, k block) steps, so the
// two-thread column split's parts are packed and repacked step by step while the other thread helps
// with their row blocks. Each blocking's products stay close to js, and two threads give the
// one-thread module's bits under the same blocking.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import { createWasmBackend } from '../../src/backends/wasm/wasm-backend.js';
import { readWasmBinary, WASM_THREADS_FILE, WasmModule } from '../../src/backends/wasm/wasm-module.js';
import { runOn, type Input } from '../native/compare-backends.js';
import { randomArray } from '../native/random-inputs.js';

const THREADED = 'wasm-gemm-blocking-threads';
const ONE = 'wasm-gemm-blocking-one';
/** The modules' default float32 blocking (native/src/gemm/gemm.cc, Blocking<float>). */
const DEFAULT: [number, number, number] = [1024, 48, 3072];

function input(shape: number[], seed: number): Input {
  return { data: randomArray('float32', shape.reduce((a, b) => a * b, 1), seed, { lo: -1, hi: 1 }), shape, dtype: 'float32' };
}

const bitsOf = (v: nb.TypedArray) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');

describe('wasm GEMM under other cache blockings', () => {
  const threaded = new WasmModule(readWasmBinary(WASM_THREADS_FILE));
  const one = new WasmModule(readWasmBinary());
  const setBoth = (blocking: [number, number, number]) => {
    threaded.setGemmBlocking(...blocking);
    one.setGemmBlocking(...blocking);
  };

  beforeAll(() => {
    threaded.setThreads(2);
    engine.registerBackend({ name: THREADED, priority: -100, create: () => createWasmBackend(threaded, THREADED) });
    engine.registerBackend({ name: ONE, priority: -100, create: () => createWasmBackend(one, ONE) });
  });
  afterAll(() => {
    setBoth(DEFAULT);
    threaded.setThreads(1);
  });

  // Wide enough to split by columns (2M multiply-adds or more); m, n and k not multiples of the
  // tile or of the blocks.
  const shapes: [number, number, number][] = [
    [203, 257, 331],
    [128, 784, 128],
    [61, 1100, 517],
  ];
  const blockings: [number, number, number][] = [
    [64, 20, 48], // many k blocks, several column blocks per part, 4 tile rows per row block
    [256, 48, 512],
    [100, 7, 3072], // a k block and a row block that are not multiples of anything; MC below the tile's 5 rows
  ];
  for (const blocking of blockings)
    it(`blocking ${blocking.join(',')}: near js, and the same bits on two threads as on one`, () => {
      setBoth(blocking);
      let seed = 40;
      for (const [m, k, n] of shapes) {
        const inputs = [input([m, k], seed++), input([k, n], seed++)];
        const label = `${m}x${k} by ${k}x${n} under ${blocking.join(',')}`;
        const single = runOn(ONE, inputs, (a, b) => nb.matmul(a!, b!)).values;
        const want = runOn('js', inputs, (a, b) => nb.matmul(a!, b!)).values;
        for (let i = 0; i < want.length; i++)
          if (!(Math.abs(single[i]! - want[i]!) <= 1e-6 * k)) throw new Error(`${label}: element ${i} is ${single[i]} on wasm, ${want[i]} on js`);
        expect(bitsOf(runOn(THREADED, inputs, (a, b) => nb.matmul(a!, b!)).values), label).toBe(bitsOf(single));
      }
    });

  it('a blocking with a non-positive size is ignored', () => {
    const inputs = [input([203, 257], 1), input([257, 331], 2)];
    setBoth([256, 48, 512]);
    const before = bitsOf(runOn(ONE, inputs, (a, b) => nb.matmul(a!, b!)).values);
    setBoth([0, 48, 512]);
    expect(bitsOf(runOn(ONE, inputs, (a, b) => nb.matmul(a!, b!)).values)).toBe(before);
  });
});
