// A synchronous loop that never yields to the event loop must not grow the heap, with or without
// tidy: FinalizationRegistry callbacks never run inside it and a WeakRef keeps its target alive
// until the task ends. Before the fix, a GradientTape step grew the heap by ~550 bytes (the engine
// held each tape through a WeakRef, so every tape and its records stayed alive), and small eager
// ops without tidy by ~18 bytes each (one registry entry per 16 host buffers).
// Each case runs in a child started with --expose-gc, so that it measures the heap after full
// collections in the middle of the loop.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./sync-loop-child.ts', import.meta.url));
const MB = 1024 * 1024;

interface ChildReport {
  heapFirst: number;
  heapAll: number;
  memory: Record<string, { numTensors: number; numBuffers: number; numBytes: number }>;
  backend: string;
}

function runLoop(mode: string, first: number, all: number): ChildReport {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, mode, String(first), String(all)], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildReport;
}

describe('memory in a synchronous loop', () => {
  it('tape steps inside tidy: the heap stays flat and nb.memory() counts only what is kept', () => {
    const r = runLoop('tape-tidy', 4_000, 20_000);
    // Before the fix: +9 MB over these 16k steps.
    expect(r.heapAll - r.heapFirst).toBeLessThan(3 * MB);
    // x, y, w, b and the two small constants, plus a few variable reads: nothing per step.
    expect(r.memory[r.backend]!.numTensors).toBeLessThan(20);
  }, 120_000);

  it('tape steps without tidy: the heap stays flat', () => {
    const r = runLoop('tape', 4_000, 20_000);
    expect(r.heapAll - r.heapFirst).toBeLessThan(3 * MB);
  }, 120_000);

  it('500k small eager ops without tidy: the bookkeeping stays bounded', () => {
    const r = runLoop('ops', 100_000, 500_000);
    // Before the fix: +7.4 MB between 100k and 500k steps.
    expect(r.heapAll - r.heapFirst).toBeLessThan(3 * MB);
  }, 120_000);
});
