// Shared pieces of the benchmarks: medians, TensorFlow.js set-up, and the result table.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as os from 'node:os';
import * as nb from '../src/index.js';

export { tf, nb };

/** Median of `reps` timed runs of `fn` (ms), after `warmup` untimed runs; stops early past `budgetMs`. */
export async function medianMs(fn: () => unknown | Promise<unknown>, opts: { reps?: number; warmup?: number; budgetMs?: number } = {}): Promise<number> {
  const reps = opts.reps ?? 7;
  const budget = opts.budgetMs ?? 20_000;
  for (let i = 0; i < (opts.warmup ?? 1); i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
    if (performance.now() - start > budget && times.length >= 1) break;
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

let wasmReady: Promise<void> | undefined;

/** Switch TF.js to 'cpu' or 'wasm' (the wasm binaries ship inside the npm package). */
export async function useTf(backend: 'cpu' | 'wasm'): Promise<void> {
  if (backend === 'wasm') {
    wasmReady ??= (async () => {
      const require = createRequire(import.meta.url);
      const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
      setWasmPaths(path.join(dir, 'dist') + path.sep);
    })();
    await wasmReady;
  }
  await tf.setBackend(backend);
  await tf.ready();
}

export interface Row {
  name: string;
  unit: string;
  /** Higher is better for rates (GFLOP/s, samples/s); lower for times (µs). */
  higherIsBetter: boolean;
  nabla: number;
  nablaJit?: number;
  tfCpu?: number | string;
  tfWasm?: number | string;
}

function fmt(v: number | string | undefined): string {
  if (v === undefined) return '-';
  if (typeof v === 'string') return v;
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function ratio(row: Row, other: number | string | undefined): string {
  if (typeof other !== 'number') return '-';
  const best = Math.max(row.nabla, row.nablaJit ?? -Infinity);
  const bestLow = Math.min(row.nabla, row.nablaJit ?? Infinity);
  const r = row.higherIsBetter ? best / other : other / bestLow;
  return `${r.toFixed(1)}x`;
}

export function printTable(rows: Row[]): void {
  const header = ['benchmark', 'unit', 'nabla', 'nabla jit', 'tfjs-cpu', 'tfjs-wasm', 'vs cpu', 'vs wasm'];
  const lines = rows.map((r) => [r.name, r.unit, fmt(r.nabla), fmt(r.nablaJit), fmt(r.tfCpu), fmt(r.tfWasm), ratio(r, r.tfCpu), ratio(r, r.tfWasm)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) console.log(line(l));
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${os.cpus().length} cores, node ${process.version}; nabla backend ${JSON.stringify(nb.backendInfo())}`;
}
