// Full garbage collections from inside a test, without restarting node with --expose-gc.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Collect until FinalizationRegistry callbacks have run. They run only between tasks, and objects a
 * WeakRef handed out stay alive until the current task ends, so collections alternate with yields.
 */
export async function collectGarbage(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await nextTask();
    gc();
  }
  await nextTask();
}

/** A full collection inside the current task (registry callbacks cannot run yet). */
export function collectNow(): void {
  gc();
}
