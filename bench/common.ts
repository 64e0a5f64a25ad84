// Shared pieces of the benchmarks: medians, TensorFlow.js set-up, and the result table.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as os from 'node:os';
import * as nb from '../src/index.js';

export { tf, nb };
export { medianMs } from './median.js';

/**
 * Set in the child that run.ts starts with NABLA_NUM_THREADS=1: the suites measure nabla only
 * (the TF.js columns come from the parent), for the single-thread columns.
 */
export const nablaOnly = process.env.NABLA_BENCH_NABLA_ONLY === '1';

/** A TF.js measurement, or nothing in the nabla-only child. */
export async function tfSide<T>(measure: () => Promise<T>): Promise<T | undefined> {
  return nablaOnly ? undefined : measure();
}

let wasmReady: Promise<void> | undefined;

/** Switch TF.js to 'cpu' or 'wasm' (the wasm binaries ship inside the npm package). */
/** A TensorFlow.js backend the suites compare with. */
export type TfBackend = 'cpu' | 'wasm';

export async function useTf(backend: TfBackend): Promise<void> {
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
  if (backend === 'wasm') wasmUsed = true;
}

export interface Row {
  name: string;
  unit: string;
  /** Higher is better for rates (GFLOP/s, samples/s); lower for times (µs). */
  higherIsBetter: boolean;
  nabla: number;
  nablaJit?: number;
  /** nabla with NABLA_NUM_THREADS=1 (TF.js's backends run one thread in Node). */
  nabla1?: number;
  nablaJit1?: number;
  tfCpu?: number | string;
  tfWasm?: number | string;
  /** jax-js's wasm device (one thread in Node: jaxThreads in jax.ts). */
  jax?: number | string;
  /** Threads nabla computed this row with, where not its current backend's (the wasm suite). */
  nablaThreads?: number;
  /** PyTorch on one thread and on all cores (torch.ts). */
  torch1?: number;
  torch?: number;
}

/** Threads the PyTorch column used (set by the suites that measured it). */
export const peerThreads: { torch?: number; jax?: number } = {};

let wasmUsed = false;

/** Threads each side computes with: nabla's backend, TF.js cpu (plain JS: one), TF.js wasm (one unless its worker build runs), jax-js, PyTorch. */
export function threadsCell(nabla = nablaThreads()): string {
  return `${nabla} / 1 / ${wasmUsed ? getThreadsCount() : '-'} / ${peerThreads.jax ?? '-'} / ${peerThreads.torch ?? '-'}`;
}

/** Threads of nabla's current backend (1 where it does not say: js). */
export function nablaThreads(): number {
  return (nb.backendInfo() as { threads?: number }).threads ?? 1;
}

function fmt(v: number | string | undefined): string {
  if (v === undefined) return '-';
  if (typeof v === 'string') return v;
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** nabla's best (eager or jit) over PyTorch's, on one thread each or on all threads each. */
function torchRatio(row: Row, oneThread: boolean): string {
  const torch = oneThread ? row.torch1 : row.torch;
  return typeof torch === 'number' ? ratio(row, torch, oneThread) : '-';
}

function ratio(row: Row, other: number | string | undefined, oneThread = false): string {
  if (typeof other !== 'number') return '-';
  const nabla = oneThread ? row.nabla1 : row.nabla;
  const jit = oneThread ? row.nablaJit1 : row.nablaJit;
  if (nabla === undefined) return '-';
  const best = Math.max(nabla, jit ?? -Infinity);
  const bestLow = Math.min(nabla, jit ?? Infinity);
  const r = row.higherIsBetter ? best / other : other / bestLow;
  return `${r.toFixed(1)}x`;
}

export function printTable(rows: Row[]): void {
  const header = ['benchmark', 'unit', 'threads nabla / tfjs-cpu / tfjs-wasm / jax-js / pytorch', 'nabla', 'nabla jit', 'nabla 1 thread', 'nabla jit 1 thread', 'tfjs-cpu', 'tfjs-wasm', 'jax-js wasm', 'pytorch', 'pytorch 1 thread', 'vs cpu', 'vs wasm', 'vs jax-js', 'vs pytorch', '1 thread vs cpu', '1 thread vs wasm', '1 thread vs jax-js', '1 thread vs pytorch 1 thread'];
  const lines = rows.map((r) => [
    r.name,
    r.unit,
    threadsCell(r.nablaThreads),
    fmt(r.nabla),
    fmt(r.nablaJit),
    fmt(r.nabla1),
    fmt(r.nablaJit1),
    fmt(r.tfCpu),
    fmt(r.tfWasm),
    fmt(r.jax),
    fmt(r.torch),
    fmt(r.torch1),
    ratio(r, r.tfCpu),
    ratio(r, r.tfWasm),
    ratio(r, r.jax),
    torchRatio(r, false),
    ratio(r, r.tfCpu, true),
    ratio(r, r.tfWasm, true),
    ratio(r, r.jax, true),
    torchRatio(r, true),
  ]);
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
