// What the channels-first layout costs on native: a ResNet-sized 3x3 conv (64 -> 64 channels, 56x56,
// 'same') run channels last, channels first (the kernel converts NCHW to NHWC and back inside the
// call), and channels last between two explicit transposes; and a channels-first 3-D conv as the
// Conv3D layer runs it (depth merged into height, no transposes) against transposes around the
// channels-last sum. Forward only, eager calls; the variants of one conv take turns, and each
// reports its fastest and median call (the fastest is the steadier figure on a busy machine).
// Run: npx tsx bench/channels-first.ts [batch]   (NABLA_NUM_THREADS=1 for one thread)
import { nb } from './common.js';
import { conv3d, conv3dTranspose } from '../src/nn/layers/conv3d.js';
import { conv3dChannelsFirst, conv3dTransposeChannelsFirst } from '../src/nn/layers/conv3d-channels-first.js';

await nb.setBackend('native');
const batch = Number(process.argv[2] ?? 1);

type Variant = [name: string, run: () => nb.Tensor];

/** Each variant's fastest and median ms over `reps` rounds in which every variant runs once. */
function race(variants: Variant[], reps = 21): [string, number, number][] {
  const times = variants.map(() => [] as number[]);
  const once = (run: () => nb.Tensor) => nb.tidy(() => void run().dataSync());
  for (const [, run] of variants) once(run);
  for (let r = 0; r < reps; r++) {
    variants.forEach(([, run], i) => {
      const t0 = performance.now();
      once(run);
      times[i]!.push(performance.now() - t0);
    });
  }
  return variants.map(([name], i) => {
    const t = times[i]!.sort((a, b) => a - b);
    return [name, t[0]!, t[Math.floor(t.length / 2)]!];
  });
}

const rows: [string, number, number][] = [];
{
  const [c, h, w] = [64, 56, 56];
  const xFirst = nb.random.normal([batch, c, h, w]);
  const xLast = nb.transpose(xFirst, [0, 2, 3, 1]).clone();
  const f = nb.random.normal([3, 3, c, 64]);
  const opts = { padding: 'same' } as const;
  rows.push(
    ...race([
      [`conv2d ${batch}x${c}x${h}x${w} 3x3 -> 64, channels last (NHWC)`, () => nb.conv2d(xLast, f, opts)],
      [`  same conv, channels first (NCHW, converted inside the kernel call)`, () => nb.conv2d(xFirst, f, { ...opts, dataFormat: 'channelsFirst' })],
      [`  same conv, NCHW -> transpose -> NHWC conv -> transpose`, () => nb.transpose(nb.conv2d(nb.transpose(xFirst, [0, 2, 3, 1]), f, opts), [0, 3, 1, 2])],
      [`  the NCHW -> NHWC copy alone`, () => nb.transpose(xFirst, [0, 2, 3, 1])],
    ]),
  );
}
{
  const [c, d, h, w] = [16, 16, 32, 32];
  const xFirst = nb.random.normal([batch, c, d, h, w]);
  const k = nb.random.normal([3, 3, 3, c, 16]);
  const pads: [number, number][] = [[1, 1], [1, 1], [1, 1]];
  const xLast = nb.transpose(xFirst, [0, 2, 3, 4, 1]).clone();
  rows.push(
    ...race([
      [`conv3d ${batch}x${c}x${d}x${h}x${w} 3x3x3 -> 16 'same', channels first, depth merged into height`, () => conv3dChannelsFirst(xFirst, k, { strides: [1, 1, 1], dilations: [1, 1, 1], pads })],
      [`  same conv, transposes around the channels-last sum`, () => nb.transpose(conv3d(nb.transpose(xFirst, [0, 2, 3, 4, 1]), k, [1, 1, 1], 'same', [1, 1, 1]), [0, 4, 1, 2, 3])],
      [`  same conv, channels last throughout`, () => conv3d(xLast, k, [1, 1, 1], 'same', [1, 1, 1])],
    ]),
  );
  // Conv3DTranspose 'same', stride 2: [c, d, h, w] -> [16, 2d, 2h, 2w].
  const small = nb.random.normal([batch, c, d / 2, h / 2, w / 2]);
  const out = [d, h, w];
  rows.push(
    ...race([
      [`conv3dTranspose ${batch}x${c}x${d / 2}x${h / 2}x${w / 2} 3x3x3 stride 2 'same' -> 16, channels first, taps as channels`, () => conv3dTransposeChannelsFirst(small, k, out, [2, 2, 2], [1, 1, 1], [0, 0, 0])],
      [`  same conv, transposes around the channels-last sum`, () => nb.transpose(conv3dTranspose(nb.transpose(small, [0, 2, 3, 4, 1]), k, [batch, ...out, 16], [2, 2, 2], 'same', [1, 1, 1]), [0, 4, 1, 2, 3])],
    ]),
  );
}
console.log(`native, ${process.env.NABLA_NUM_THREADS ?? 'default'} threads`);
console.log(`${''.padEnd(100)} fastest   median`);
for (const [name, min, median] of rows) console.log(`${name.padEnd(100)} ${min.toFixed(2).padStart(7)} ${median.toFixed(2).padStart(8)} ms`);
