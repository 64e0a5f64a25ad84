// Per-op dispatch cost: a 1-element add and its release, in microseconds per op. Both sides
// dispose the result, so both pay for releasing it (TF.js would leak without it).
import { medianMs, nb, tf, tfSide, useTf, type Row, type TfBackend } from './common.js';

const N = 20_000;

/** On nabla's current backend; TF.js on each of `tfBackends` (the others' columns stay empty). */
export async function benchOpOverhead(tfBackends: readonly TfBackend[] = ['cpu', 'wasm']): Promise<Row[]> {
  const a = nb.tensor([1]);
  const b = nb.tensor([2]);
  const nablaUs = ((await medianMs(() => {
    for (let i = 0; i < N; i++) nb.add(a, b).dispose();
  })) * 1000) / N;
  const tfUs = async (backend: TfBackend) => {
    await useTf(backend);
    const ta = tf.tensor([1]);
    const tb = tf.tensor([2]);
    const ms = await medianMs(() => {
      for (let i = 0; i < N; i++) tf.add(ta, tb).dispose();
    });
    return (ms * 1000) / N;
  };
  return [{
    name: '1-element add', unit: 'µs/op', higherIsBetter: false, nabla: nablaUs,
    tfCpu: tfBackends.includes('cpu') ? await tfSide(() => tfUs('cpu')) : undefined,
    tfWasm: tfBackends.includes('wasm') ? await tfSide(() => tfUs('wasm')) : undefined,
  }];
}
