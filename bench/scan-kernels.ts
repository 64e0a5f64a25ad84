// `npx tsx bench/scan-kernels.ts [reps]`: eager cumsum of a [1000, 1000] float32 tensor along each
// axis, and argsort of 1e6 float32, on the native backend and on the js reference kernels, runs
// interleaved (native, js, native, js, ...) so load on the machine hits both alike. Prints
// medians of wall time and of process CPU time (set NABLA_NUM_THREADS=1 for one thread's work).
import * as nb from '../src/index.js';

interface Case {
  name: string;
  shape: number[];
  run: (x: nb.Tensor) => nb.Tensor;
}

const CASES: Case[] = [
  { name: 'cumsum [1000, 1000] f32 axis 0', shape: [1000, 1000], run: (x) => nb.cumsum(x, 0) },
  { name: 'cumsum [1000, 1000] f32 axis 1', shape: [1000, 1000], run: (x) => nb.cumsum(x, 1) },
  { name: 'argsort [1e6] f32', shape: [1_000_000], run: (x) => nb.argsort(x) },
];

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

function timeOnce(backend: string, x: nb.Tensor, c: Case): { wall: number; cpu: number } {
  return nb.withBackend(backend, () => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const y = c.run(x);
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    y.dispose();
    return { wall, cpu: (cpu.user + cpu.system) / 1000 };
  });
}

const reps = Number(process.argv[2] ?? 15);
console.log(`# ${new Date().toISOString()} native ${JSON.stringify(nb.backendInfo('native'))}; ${reps} interleaved runs each`);
console.log('| case | native wall ms | js wall ms | native cpu ms | js cpu ms | wall speed-up |');
console.log('|---|---|---|---|---|---|');
for (const c of CASES) {
  const values = Float32Array.from({ length: c.shape.reduce((a, b) => a * b, 1) }, () => Math.random() * 2 - 1);
  const on = (backend: string) => nb.withBackend(backend, () => nb.tensor(values, c.shape, 'float32'));
  const inputs = { native: on('native'), js: on('js') };
  const times = { native: [] as { wall: number; cpu: number }[], js: [] as { wall: number; cpu: number }[] };
  for (const b of ['native', 'js'] as const) timeOnce(b, inputs[b], c);
  for (let i = 0; i < reps; i++) for (const b of ['native', 'js'] as const) times[b].push(timeOnce(b, inputs[b], c));
  const m = (b: 'native' | 'js', k: 'wall' | 'cpu') => median(times[b].map((t) => t[k]));
  console.log(`| ${c.name} | ${m('native', 'wall').toFixed(2)} | ${m('js', 'wall').toFixed(2)} | ${m('native', 'cpu').toFixed(2)} | ${m('js', 'cpu').toFixed(2)} | ${(m('js', 'wall') / m('native', 'wall')).toFixed(1)}x |`);
}
