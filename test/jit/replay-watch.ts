// Test helper: watches the native backend's jit plans: how many were compiled, how many times
// they were replayed, and how many kernel calls JS made outside them.
import { vi } from 'vitest';
import type { CompiledKernels } from '../../src/backends/backend.js';
import { loadAddon, type NativeAddon } from '../../src/backends/native/load-addon.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import type { TypedArray } from '../../src/tensor/dtype.js';

export interface ReplayWatch {
  compiled(): number;
  replays(): number;
  kernelCalls(): number;
}

/** Spy on `backend` until `vi.restoreAllMocks()` (the kernel-call counters stay installed). */
export function watchReplays(backend: NativeBackend): ReplayWatch {
  let compiled = 0;
  let replays = 0;
  let kernelCalls = 0;
  const capture = backend.capture;
  const compile = capture.compile.bind(capture);
  vi.spyOn(capture, 'compile').mockImplementation((rec, ins, outs, donors) => {
    const c = compile(rec, ins, outs, donors);
    if (!c) return c;
    compiled++;
    return {
      donatable: c.donatable,
      run: (inputs, donate) => {
        replays++;
        return c.run(inputs, donate);
      },
    } satisfies CompiledKernels<TypedArray>;
  });
  const live = (backend as unknown as { addon: NativeAddon }).addon;
  // After each recording the recorder puts the raw addon's functions back into `live`, so the
  // raw addon (the module loadAddon returns) is wrapped too; a call through both counts once.
  let inside = false;
  // (The wasm backend's raw addon is not reachable from here; on a host without the native addon
  // loadAddon throws, so it is wrapped for the native backend only.)
  for (const addon of backend.name === 'native' ? [live, loadAddon()] : [live]) {
    for (const { name } of live.planEntries()) {
      const fn = addon[name] as (...a: unknown[]) => void;
      (addon as unknown as Record<string, unknown>)[name] = (...a: unknown[]) => {
        if (inside) return fn(...a);
        inside = true;
        kernelCalls++;
        try {
          fn(...a);
        } finally {
          inside = false;
        }
      };
    }
  }
  return { compiled: () => compiled, replays: () => replays, kernelCalls: () => kernelCalls };
}
