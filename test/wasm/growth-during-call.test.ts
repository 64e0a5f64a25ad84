// A kernel that grows the module's memory while it runs (its im2col scratch) and writes an output
// small enough to be a JS typed array, which the call copies back from linear memory afterwards:
// the copy must read the grown memory, not the views made before the call (detached on the
// one-thread module, still valid but shorter on the threaded one). wasm-addon.ts keeps its views
// while they cover what a call touches, so this checks that they are made again when they do not.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import { createWasmBackend } from '../../src/backends/wasm/wasm-backend.js';
import { readWasmBinary, WASM_THREADS_FILE, WasmModule } from '../../src/backends/wasm/wasm-module.js';
import { randomArray } from '../native/random-inputs.js';

describe('a kernel call that grows the wasm memory', () => {
  for (const [label, file] of [['one-thread module', undefined], ['threaded module', WASM_THREADS_FILE]] as const) {
    it(`${label}: a small output is copied back right`, () => {
      const mod = new WasmModule(readWasmBinary(file));
      const name = `wasm-growth-${file ? 'threads' : 'one'}`;
      engine.registerBackend({ name, priority: -100, create: () => createWasmBackend(mod, name) });
      // One 128 x 128 x 160 window over the whole input: a 10 MiB patch row of scratch, one output.
      const xs = randomArray('float32', 128 * 128 * 160, 1, { lo: -1, hi: 1 });
      const fs = randomArray('float32', 128 * 128 * 160, 2, { lo: -1, hi: 1 });
      const conv = () => nb.conv2d(nb.tensor(xs, [1, 128, 128, 160]), nb.tensor(fs, [128, 128, 160, 1]), { padding: 'valid' });
      const [got, grew] = nb.withBackend(name, () => {
        const x = nb.tensor(xs, [1, 128, 128, 160]);
        const f = nb.tensor(fs, [128, 128, 160, 1]);
        const before = mod.memoryBytes;
        const y = nb.conv2d(x, f, { padding: 'valid' });
        return [y.dataSync()[0]!, mod.memoryBytes > before] as const;
      });
      expect(grew, 'the memory grew during the conv').toBe(true);
      let want = 0;
      for (let i = 0; i < xs.length; i++) want += xs[i]! * fs[i]!;
      expect(Math.abs(got - want)).toBeLessThan(1e-2);
      expect(nb.withBackend('js', () => conv().dataSync()[0]!)).toBeCloseTo(got, 2);
    }, 60_000);
  }
});
