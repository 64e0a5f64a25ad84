// Memory saved by nb.checkpoint on a deep MLP training step (32 dense+relu layers of 1024, batch 256,
// float32), without and with checkpointing each block of 4 layers:
// - eager: bytes the tape holds for the backward pass at the end of the forward pass (nb.memory(),
//   each block's temporaries tidied), and the step time;
// - jitted: peak bytes of values alive at once in the compiled step (liveness over its graph: the
//   plan releases a buffer after its last reader), and the step time. At batch 256 the gradients of
//   the 32 weight matrices (128 MB, all alive until the updates) dominate that peak, so it is also
//   given at batch 2048 (graph traced, not run), where activations dominate.
// `npx tsx bench/checkpoint.ts` prints the lines below; `npm run bench -- checkpoint` gives rows.
import { fileURLToPath } from 'node:url';
import { medianMs, nb, type Row } from './common.js';
import { peakLiveBytes } from '../test/transforms/graph-liveness.js';

const LAYERS = Number(process.env.LAYERS ?? 32);
const WIDTH = Number(process.env.WIDTH ?? 1024);
const BATCH = Number(process.env.BATCH ?? 256);
const PER_BLOCK = 4;

const WIDE_BATCH = 2048;

interface Measured {
  heldMB: number;
  jitPeakMB: number;
  jitPeakWideMB: number;
  eagerMs: number;
  jitMs: number;
}

function model() {
  nb.random.seed(5);
  const ws = Array.from({ length: LAYERS }, () => new nb.Variable(nb.random.normal([WIDTH, WIDTH], { stddev: Math.sqrt(2 / WIDTH) })));
  const bs = Array.from({ length: LAYERS }, () => new nb.Variable(nb.zeros([WIDTH])));
  const blocks = Array.from({ length: LAYERS / PER_BLOCK }, (_, k) => (h: nb.Tensor) => {
    for (let i = k * PER_BLOCK; i < (k + 1) * PER_BLOCK; i++) h = nb.relu(nb.add(nb.matmul(h, ws[i]!), bs[i]!));
    return h;
  });
  return { vars: [...ws, ...bs], blocks };
}

const MB = 1 << 20;

function measure(checkpointed: boolean, x: nb.Tensor, y: nb.Tensor): Promise<Measured> {
  const { vars, blocks } = model();
  const run = checkpointed ? blocks.map((b) => nb.checkpoint(b)) : blocks;
  let held = 0;
  const step = (a: nb.Tensor, b: nb.Tensor, measureHeld = false) => {
    const bytes = () => nb.memory()[nb.getBackend()]!.numBytes;
    const before = measureHeld ? bytes() : 0;
    const tape = new nb.GradientTape();
    let h = a;
    for (const block of run) h = nb.tidy(() => block(h));
    const loss = nb.mean(nb.square(nb.sub(h, b)));
    if (measureHeld) held = bytes() - before;
    const grads = tape.gradient(loss, vars);
    vars.forEach((v, i) => v.assignSub(nb.mul(grads[i]!, 1e-3)));
    return loss;
  };
  nb.tidy(() => step(x, y, true));
  const jitted = nb.jit((a: nb.Tensor, b: nb.Tensor) => step(a, b));
  const jitPeak = peakLiveBytes(jitted.graph(x, y));
  const wide = nb.zeros([WIDE_BATCH, WIDTH]);
  const jitPeakWide = peakLiveBytes(jitted.graph(wide, wide));
  return (async () => {
    const eagerMs = await medianMs(() => nb.tidy(() => step(x, y).dataSync()), { reps: 3, budgetMs: 30_000 });
    const jitMs = await medianMs(() => nb.tidy(() => jitted(x, y).dataSync()), { reps: 3, budgetMs: 30_000 });
    return { heldMB: held / MB, jitPeakMB: jitPeak / MB, jitPeakWideMB: jitPeakWide / MB, eagerMs, jitMs };
  })();
}

export async function benchCheckpoint(): Promise<Row[]> {
  const x = nb.random.normal([BATCH, WIDTH]);
  const y = nb.random.normal([BATCH, WIDTH]);
  const plain = await measure(false, x, y);
  const ck = await measure(true, x, y);
  const name = `deep MLP ${LAYERS}x${WIDTH} step (batch ${BATCH})`;
  console.error(
    `${name}: eager, held by the tape after the forward pass: ${plain.heldMB.toFixed(1)} MB without checkpoint, ${ck.heldMB.toFixed(1)} MB ` +
      `with a checkpoint every ${PER_BLOCK} layers (${(plain.heldMB / ck.heldMB).toFixed(2)}x less); jitted, peak live: ${plain.jitPeakMB.toFixed(1)} MB vs ` +
      `${ck.jitPeakMB.toFixed(1)} MB (${(plain.jitPeakMB / ck.jitPeakMB).toFixed(2)}x less), at batch ${WIDE_BATCH}: ${plain.jitPeakWideMB.toFixed(1)} MB vs ${ck.jitPeakWideMB.toFixed(1)} MB (${(plain.jitPeakWideMB / ck.jitPeakWideMB).toFixed(2)}x less); step time eager ${plain.eagerMs.toFixed(0)} vs ${ck.eagerMs.toFixed(0)} ms, ` +
      `jitted ${plain.jitMs.toFixed(0)} vs ${ck.jitMs.toFixed(0)} ms`,
  );
  return [
    { name: `${name}, activation memory (eager: held by the tape; jit: peak live)`, unit: 'MB', higherIsBetter: false, nabla: plain.heldMB, nablaJit: plain.jitPeakMB },
    { name: `same, nb.checkpoint every ${PER_BLOCK} layers`, unit: 'MB', higherIsBetter: false, nabla: ck.heldMB, nablaJit: ck.jitPeakMB },
    { name: `${name}, time`, unit: 'ms', higherIsBetter: false, nabla: plain.eagerMs, nablaJit: plain.jitMs },
    { name: `same, nb.checkpoint every ${PER_BLOCK} layers`, unit: 'ms', higherIsBetter: false, nabla: ck.eagerMs, nablaJit: ck.jitMs },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await benchCheckpoint()) console.log(`${r.name}: ${r.nabla.toFixed(1)} ${r.unit} eager, ${r.nablaJit?.toFixed(1)} ${r.unit} jitted`);
}
