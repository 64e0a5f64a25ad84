// Running out of the module's linear memory (4 GiB at most in wasm32) is a RangeError that says
// so, never a trap or a silently small buffer, and the module keeps working afterwards. Each
// request here is refused before any of it is committed, so the test needs no real memory.
import { describe, expect, it } from 'vitest';
import { ArgWriter } from '../../src/backends/native/kernel-table.js';
import { wasmAddon } from '../../src/backends/wasm/wasm-addon.js';
import { readWasmBinary, WASM_FILE, WASM_THREADS_FILE, WasmModule } from '../../src/backends/wasm/wasm-module.js';

describe.each([WASM_FILE, WASM_THREADS_FILE])('wasm module out of memory (%s)', (file) => {
  const mod = new WasmModule(readWasmBinary(file));
  const args = new ArgWriter();
  const addon = wasmAddon(mod, args);
  /** A plan with no calls and an arena of `bytes` (native/src/plan.h's descriptor). */
  const emptyPlan = (bytes: number) => addon.createPlan(Float64Array.from([1, 0, 0, 0, bytes, 0]));
  const addWorks = () => {
    const out = new Float32Array(3);
    args.begin().shape('add', [3]).shape('add', [3]).shape('add', [3]);
    addon.binary(0, Float32Array.from([1, 2, 3]), Float32Array.from([10, 20, 30]), out);
    expect(Array.from(out)).toEqual([11, 22, 33]);
  };

  it('an allocation linear memory cannot hold is a RangeError naming the 4 GiB limit', () => {
    expect(() => mod.alloc(4 * 1024 ** 3 - 2 ** 20, 'a test')).toThrow(RangeError);
    expect(() => mod.alloc(4 * 1024 ** 3 - 2 ** 20, 'a test')).toThrow(/out of memory allocating 4293918720 bytes for a test .*4 GiB/);
    addWorks();
  });

  it('a kernel whose own allocation fails (a plan arena near 4 GiB) raises, and later calls work', () => {
    expect(() => emptyPlan(4 * 1024 ** 3 - 2 ** 24)).toThrow(RangeError);
    expect(() => emptyPlan(4 * 1024 ** 3 - 2 ** 24)).toThrow(/out of memory in createPlan/);
    addWorks();
    expect(() => emptyPlan(4096)).not.toThrow();
  });

  it('an arena past what 32 bits address is refused, not wrapped into a small one', () => {
    expect(() => emptyPlan(3 * 1024 ** 3)).toThrow(/out of memory/);
    expect(() => emptyPlan(2 ** 32 + 64)).toThrow(/out of memory/);
    expect(() => emptyPlan(2 ** 40)).toThrow(/out of memory/);
    addWorks();
  });
});
