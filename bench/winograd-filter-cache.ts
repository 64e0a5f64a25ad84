// ResNet-18's 14x14x256 3x3 convs at batch 1 on Winograd (conv-algorithm.h's wide rule) with the
// transform kept: wall-clock medians (ms) of ResNet-18 batch-1 predict, compiled and eager, and of
// the one conv eager with a filter it has seen (predict) and with a new filter every call (a
// training step's; the new filter is made inside the timed call by a multiply, in both builds),
// and a compiled ResNet-18 training step at batch 1.
// Compare builds by running it twice, once with NABLA_NATIVE_PATH naming an addon built before
// the rule (its conv runs the GEMM there): `T=1 npx tsx bench/winograd-filter-cache.ts`, T: threads.
import * as nb from '../src/index.js';
import { engine } from '../src/engine/engine.js';
import type { NativeBackend } from '../src/backends/native/native-backend.js';
import { medianMs } from './median.js';
import { resnet18 } from './inference-models.js';

await nb.setBackend('native');
const threads = Number(process.env.T ?? 1);
const backend = engine.instance('native') as NativeBackend;
backend.setThreads(threads);
// An addon built before the rule has no cached entry (and runs the GEMM on 14x14x256 at batch 1).
if (process.env.NABLA_NATIVE_PATH) backend.winograd?.setLimit(0);
const reps = Number(process.env.REPS ?? 15);

const x = nb.random.normal([1, 14, 14, 256]);
const f = nb.mul(nb.random.normal([3, 3, 256, 256]), 0.05);
const seen = await medianMs(() => nb.conv2d(x, f, { padding: 'same' }).dispose(), { reps: reps * 4, warmup: 3 });
const fresh = await medianMs(
  () => {
    const g = nb.mul(f, 1.0001);
    nb.conv2d(x, g, { padding: 'same' }).dispose();
    g.dispose();
  },
  { reps: reps * 4, warmup: 3 },
);
const mulOnly = await medianMs(() => nb.mul(f, 1.0001).dispose(), { reps: reps * 4, warmup: 3 });

const model = resnet18(224);
const image = nb.random.normal([1, 224, 224, 3]);
const predict = async () => {
  const y = model.predictOnBatch(image);
  y.dataSync();
  y.dispose();
};
const compiled = await medianMs(predict, { reps, warmup: 3 });
model.compile({ optimizer: 'sgd', loss: 'mse', jitCompile: false });
const eager = await medianMs(predict, { reps, warmup: 3 });

// A training step at batch 1 (compiled): every forward conv meets a new filter, so 14x14x256 pays
// its Winograd transform on each step where the GEMM ran before.
model.compile({ optimizer: 'sgd', loss: 'mse' });
const label = nb.random.normal([1, 1000]);
const train = await medianMs(() => model.trainOnBatch(image, label), { reps: Math.max(3, Math.floor(reps / 2)), warmup: 2 });

const build = process.env.NABLA_NATIVE_PATH ? 'before' : 'after';
console.log(
  `${build} T=${threads}: resnet18 b1 compiled ${compiled.toFixed(2)} eager ${eager.toFixed(2)} train step ${train.toFixed(1)} | conv 14x14x256 seen filter ${seen.toFixed(3)} new filter ${(fresh - mulOnly).toFixed(3)} (+mul ${mulOnly.toFixed(3)})`,
);
