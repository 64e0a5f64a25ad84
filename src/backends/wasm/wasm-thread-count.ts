// How many threads the threaded wasm module starts with: the cores this process may use, or
// NABLA_NUM_THREADS (Node) as for the native addon (native/src/thread-pool.cc's
// threadsFromEnvironment, the same rule and the same sentences when it cannot be used as given).

/** The cores here: os.availableParallelism() in Node, navigator.hardwareConcurrency in a page. */
export function availableCores(): number {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const os = proc?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number } | undefined;
  const n = os?.availableParallelism?.() ?? (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/** The thread count to start with, and a sentence when NABLA_NUM_THREADS was set but not usable as given. */
export function threadsFromEnvironment(cores = availableCores()): { threads: number; warning?: string } {
  const text = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NABLA_NUM_THREADS;
  if (!text) return { threads: cores };
  const n = /^[0-9]+$/.test(text) ? Number(text) : 0;
  if (n >= 1 && n <= cores) return { threads: n };
  const cap = `${cores} ${cores === 1 ? 'thread' : 'threads'}`;
  const warning =
    n > cores
      ? `NABLA_NUM_THREADS=${text} is more than the cores available (${cores}); using ${cap}`
      : `NABLA_NUM_THREADS="${text}" is not a whole number from 1 to ${cores} (the cores available); using ${cap}`;
  return { threads: cores, warning };
}
