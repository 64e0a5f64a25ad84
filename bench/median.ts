// The timing rule every benchmark uses, in Node and in the browser page (bench/browser/).

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
