// Per-layer forward timings of ResNet-18's four 3x3 stride-1 convolutions (batch 1, NHWC, float32)
// on each forced algorithm (NABLA_CONV_FORWARD), the automatic choice, and Winograd from a filter
// transformed once (the prepacked weights of inference graphs, 'winograd-packed') and the GEMM's
// filter packed once ('gemm-packed', what inference graphs run where Winograd is not chosen): CPU time per call,
// median of rounds, plus the worst error of each path against a float64 reference.
// Run: NABLA_NUM_THREADS=1 npx tsx bench/conv-winograd.ts (EDGES=1: shapes around the rule's edges;
// BACKEND=wasm: the WebAssembly module, where 'tiled' falls back to the GEMM)
import * as nb from '../src/index.js';
import { loadWasmModule } from '../src/backends/wasm/wasm-module.js';
import { run1 } from '../src/ops/run.js';
import type { ConvAttrs } from '../src/ops/primitives/conv.js';
import { fusedLinearOp, type FusedLinearAttrs } from '../src/jit/fused-ops.js';
import { packGemmBOp } from '../src/jit/prepacked-ops.js';

const RESNET = [
  { name: '56x56x64', n: 1, side: 56, c: 64, o: 64 },
  { name: '28x28x128', n: 1, side: 28, c: 128, o: 128 },
  { name: '14x14x256', n: 1, side: 14, c: 256, o: 256 },
  { name: '7x7x512', n: 1, side: 7, c: 512, o: 512 },
];
// Around the rule's edges (conv-algorithm.h winogradWins): few channels, small images, the bench CNN's second conv.
const EDGES = [
  { name: '8x8 64->64', n: 1, side: 8, c: 64, o: 64 },
  { name: '16x16 32->32', n: 1, side: 16, c: 32, o: 32 },
  { name: '28x28 16->16', n: 1, side: 28, c: 16, o: 16 },
  { name: '14x14 32->64 x32', n: 32, side: 14, c: 32, o: 64 },
  { name: '14x14 128->128', n: 1, side: 14, c: 128, o: 128 },
  { name: '28x28 128->256', n: 1, side: 28, c: 128, o: 256 },
];
const LAYERS = process.env.EDGES ? EDGES : RESNET;
const PATHS = ['tiled', 'gemm', 'gemm-packed', 'winograd', 'winograd-packed', 'auto'] as const;

function values(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296) * 2 - 1);
}

/** CPU milliseconds per call: median of 7 rounds of enough calls to pass ~50 ms. */
function time(run: () => void): number {
  run();
  const c0 = process.cpuUsage();
  let calls = 0;
  while (process.cpuUsage(c0).user < 50_000) {
    run();
    calls++;
  }
  const rounds: number[] = [];
  for (let r = 0; r < 7; r++) {
    const c = process.cpuUsage();
    for (let i = 0; i < calls; i++) run();
    const d = process.cpuUsage(c);
    rounds.push((d.user + d.system) / 1000 / calls);
  }
  return rounds.sort((a, b) => a - b)[3]!;
}

await nb.setBackend(process.env.BACKEND ?? 'native');
for (const l of LAYERS) {
  const xs = [l.n, l.side, l.side, l.c], fs = [3, 3, l.c, l.o];
  const xv = values(xs.reduce((a, b) => a * b), 1), fv = values(fs.reduce((a, b) => a * b), 2);
  const x = nb.tensor(xv, xs), f = nb.tensor(fv, fs);
  const want = nb.conv2d(nb.tensor(xv, xs, 'float64'), nb.tensor(fv, fs, 'float64'), { padding: 'same' }).dataSync();
  const row: string[] = [l.name];
  for (const p of PATHS) {
    const path = p === 'winograd-packed' ? 'winograd' : p === 'gemm-packed' ? 'gemm' : p;
    if (path === 'auto') delete process.env.NABLA_CONV_FORWARD;
    else process.env.NABLA_CONV_FORWARD = path;
    // The WebAssembly module has no environment.
    if (nb.getBackend() === 'wasm') loadWasmModule().setConvForward(path === 'auto' ? undefined : path);
    let conv = () => nb.conv2d(x, f, { padding: 'same' });
    if (p === 'winograd-packed' || p === 'gemm-packed') {
      const winograd = p === 'winograd-packed';
      const k = winograd ? l.c : 9 * l.c;
      const packed = run1(packGemmBOp, [f], { k, n: l.o, groups: 1, rowStride: l.o, colStride: 1, dtype: 'float32', winograd });
      const baseAttrs: ConvAttrs = { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], groups: 1 };
      const attrs: FusedLinearAttrs = { base: 'conv2d', baseAttrs, hasBias: false, activation: null, shape: [l.n, l.side, l.side, l.o], dtype: 'float32', prepacked: true };
      conv = () => run1(fusedLinearOp, [x, f, packed], attrs);
    }
    const got = conv().dataSync();
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    const ms = time(() => conv().dispose());
    row.push(`${p} ${ms.toFixed(3)} ms (err ${worst.toExponential(1)})`);
  }
  console.log(row.join(' | '));
}
