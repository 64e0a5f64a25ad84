// When the addon binary is missing, nabla imports, runs on wasm (the same kernels compiled to
// WebAssembly) and prints one line saying why and how to fix it. NABLA_NATIVE_PATH points the
// loader at a file that does not exist.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadAddon } from '../../src/backends/native/load-addon.js';
import { threadsFromEnvironment } from '../../src/backends/wasm/wasm-thread-count.js';

const missing = '/nonexistent/nabla-test/nabla.node';
process.env.NABLA_NATIVE_PATH = missing;
const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
const nb = await import('../../src/index.js');

afterAll(() => warn.mockRestore());

describe('native backend missing', () => {
  it('runs on wasm and prints one line naming the reason and the fix', () => {
    expect(nb.getBackend()).toBe('wasm');
    expect(nb.add(nb.tensor([1, 2]), 3).arraySync()).toEqual([4, 5]);
    const lines = warn.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('native backend'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^nabla: native backend unavailable \(.*nabla-test\/nabla\.node not found; it was not built\); using wasm \(the same kernels compiled to WebAssembly\)\. Run `npm rebuild` with a C\+\+ compiler to enable it\.$/);
  });

  it('backendInfo and setBackend say why, without printing again', async () => {
    const info = nb.backendInfo('native') as { available: boolean; reason?: string };
    expect(info.available).toBe(false);
    expect(info.reason).toContain(missing);
    // Node always has shared memory, so the threaded module runs with the same count as native would.
    expect(nb.backendInfo()).toMatchObject({ available: true, name: 'wasm', simd: 'simd128', threads: threadsFromEnvironment().threads });
    await expect(nb.setBackend('native')).rejects.toThrow(/not available: .*not found/);
    const lines = warn.mock.calls.filter((c) => String(c[0]).includes('native backend'));
    expect(lines).toHaveLength(1);
  });
});

describe('native build failed at install', () => {
  it('the reason recorded by the install script is the reason given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nabla-native-'));
    try {
      mkdirSync(join(dir, 'build', 'Release'), { recursive: true });
      writeFileSync(join(dir, 'build', 'build-failure.txt'), 'node-gyp exited with status 1\n');
      process.env.NABLA_NATIVE_PATH = join(dir, 'build', 'Release', 'nabla.node');
      expect(() => loadAddon()).toThrow(/nabla\.node not found; its build failed: node-gyp exited with status 1$/);
      writeFileSync(join(dir, 'build', 'Release', 'nabla.node'), 'not a shared library');
      expect(() => loadAddon()).toThrow(/^cannot load .*nabla\.node: /);
    } finally {
      process.env.NABLA_NATIVE_PATH = missing;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
