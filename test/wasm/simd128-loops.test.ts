// The wasm module's float32 elementwise loops (native/src/simd/elementwise-loops-wasm-simd128.cc,
// and the portable ones it keeps) called directly on every case of elementwise-cases.ts, against
// the js backend: the same bits (signed zeros and NaN positions; the lane sum within 1e-6), with
// vector tails, broadcast operands, NaN, infinities and subnormals.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { ArgWriter } from '../../src/backends/native/kernel-table.js';
import { wasmAddon } from '../../src/backends/wasm/wasm-addon.js';
import { readWasmBinary, WasmModule } from '../../src/backends/wasm/wasm-module.js';
import { caseInputs, elementwiseCases } from '../native/elementwise-cases.js';

describe('wasm module: simd128 elementwise loops', () => {
  const addon = wasmAddon(new WasmModule(readWasmBinary()), new ArgWriter());
  const args = new Float64Array(1024);
  addon.setArgs(args);
  const inputs = caseInputs();
  const cases = elementwiseCases(addon.opNames());

  it('the module is built for simd128 (so it picks the simd128 loops)', () => {
    expect((addon.info() as { simd?: string }).simd).toBe('simd128');
  });

  it(`equal to the js backend in all ${cases.length} cases`, () => {
    expect(cases.length).toBeGreaterThan(40);
    const bufs = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.data.slice()]));
    nb.withBackend('js', () => {
      const t = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, nb.tensor(v.data.slice(), v.shape, v.dtype)]));
      for (const c of cases) {
        const out = c.out.bool ? new Uint8Array(c.out.length) : new Float32Array(c.out.length);
        args.fill(0);
        args.set(c.words);
        const ins = c.inputs.map((n) => bufs[n]!);
        const buffers = c.entry === 'fusedElementwise' ? [out, ...ins] : [...ins, out];
        const entry = (addon as unknown as Record<string, (...a: unknown[]) => void>)[c.entry]!;
        if (c.op === null) entry(...buffers);
        else entry(c.op, ...buffers);
        const want = c.reference(t).dataSync();
        expect(out.length, c.name).toBe(want.length);
        for (let i = 0; i < want.length; i++) {
          const a = out[i]!, b = Number(want[i]!);
          if (Object.is(a, b) || (c.tolerance > 0 && Math.abs(a - b) <= c.tolerance * Math.max(1, Math.abs(b)))) continue;
          throw new Error(`${c.name}: element ${i} is ${a} on wasm, ${b} on js`);
        }
      }
    });
  });
});
