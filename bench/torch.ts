// PyTorch rates for the matmul and training rows (bench/torch_bench.py through Debian's
// /usr/bin/python3 and python3-torch): once on one thread and once on the machine's cores, so the
// table compares one thread with one thread and best with best. Skipped, with a line, where torch
// is not installed.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { nablaOnly } from './common.js';

export interface TorchRates {
  /** Rates per task name (matmul:N, mlp, cnn) on one thread and on `bestThreads`. */
  one: Record<string, number>;
  best: Record<string, number>;
  bestThreads: number;
  version: string;
}

let unavailable: string | undefined;

function run(threads: number, tasks: string[]): { torch: string; threads: number; rates: Record<string, number> } | string {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
  // This machine's OpenBLAS overrides are for nabla's own OpenBLAS runs, not for torch's.
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const script = fileURLToPath(new URL('./torch_bench.py', import.meta.url));
  const r = spawnSync('/usr/bin/python3', [script, String(threads), ...tasks], { env, encoding: 'utf8' });
  if (r.status !== 0) return (r.stderr || r.error?.message || 'failed').trim().split('\n').at(-1)!.slice(0, 100);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

/** PyTorch on `tasks`, or undefined (in the nabla-only child, or where torch is missing: said once on stderr). */
export function torchRates(tasks: string[]): TorchRates | undefined {
  if (nablaOnly || unavailable) return undefined;
  const one = run(1, tasks);
  if (typeof one === 'string') {
    unavailable = one;
    console.error(`pytorch columns skipped: ${one} (Debian: apt-get install python3-torch)`);
    return undefined;
  }
  const cores = availableParallelism();
  const best = cores > 1 ? run(cores, tasks) : one;
  if (typeof best === 'string') {
    console.error(`pytorch on ${cores} threads failed: ${best}`);
    return undefined;
  }
  return { one: one.rates, best: best.rates, bestThreads: best.threads, version: one.torch };
}
