// ResNet-18's compiled batch-1 predict on native: wall and CPU ms per call of the nabla-layers model
// (bench/inference-models.ts) and, where RESNET_ONNX names PyTorch's export (bench/resnet18_torch.py),
// the imported one, in one process. CPU about twice the wall at two threads means both cores were
// free; about equal, that another process held the second core. Compare builds by running this
// alternately (NABLA_NATIVE_PATH picks an addon).
// `THREADS=2 RESNET_ONNX=/tmp/resnet18.onnx npx tsx bench/resnet-batch1.ts` (ROUNDS of 3 calls, default 10).
import * as fs from 'node:fs';
import { nb } from './common.js';
import { engine } from '../src/engine/engine.js';
import type { NativeBackend } from '../src/backends/native/native-backend.js';
import { resnet18 } from './inference-models.js';

async function main(): Promise<void> {
  await nb.setBackend('native');
  const threads = Number(process.env.THREADS ?? 1);
  (engine.instance('native') as NativeBackend).setThreads(threads);
  const runs: Record<string, () => void> = {};
  const layers = resnet18(224);
  const xl = nb.random.uniform([1, 224, 224, 3]);
  runs['nabla layers'] = () => layers.predict(xl, { batchSize: 1 }).dispose();
  const file = process.env.RESNET_ONNX;
  if (file && fs.existsSync(file)) {
    const torch = nb.onnx.fromBytes(new Uint8Array(fs.readFileSync(file)));
    const xt = nb.random.uniform([1, 3, 224, 224]);
    runs['PyTorch ONNX'] = () => (torch.predict(xt) as nb.Tensor).dispose();
  }
  for (const run of Object.values(runs)) for (let i = 0; i < 3; i++) run();
  const wall: Record<string, number[]> = {}, cpu: Record<string, number[]> = {};
  for (let r = 0; r < Number(process.env.ROUNDS ?? 10); r++) {
    for (const [name, run] of Object.entries(runs)) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < 3; i++) run();
      (wall[name] ??= []).push((performance.now() - t0) / 3);
      const d = process.cpuUsage(c0);
      (cpu[name] ??= []).push((d.user + d.system) / 3000);
    }
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
  for (const name of Object.keys(runs)) {
    console.log(`${name}, ${threads} thread(s): wall ${median(wall[name]!).toFixed(2)} ms (min ${Math.min(...wall[name]!).toFixed(2)}), CPU ${median(cpu[name]!).toFixed(2)} ms per call`);
  }
}

void main();
