// Run by conv-tile-levels.test.ts with NABLA_SIMD set: prints the SIMD level the addon took and the
// bits of convs on the tile path (forward, input and filter gradients) for shapes it takes by itself.
import * as nb from '../../src/index.js';
import { bitsOf, input } from './thread-count-cases.js';

await nb.setBackend('native');
const shapes: [number[], number[]][] = [
  [[4, 28, 28, 1], [3, 3, 1, 32]], // a first layer: 9 taps
  [[2, 13, 13, 32], [3, 3, 32, 20]], // 288 taps, 20 columns (a masked last vector)
  [[3, 9, 7, 5], [2, 2, 5, 7]],
];
const bits: string[] = [];
for (const [i, [xs, fs]] of shapes.entries()) {
  const x = nb.tensor(input(xs, 60 + i).data, xs);
  const f = nb.tensor(input(fs, 70 + i).data, fs);
  const loss = (a: nb.Tensor, b: nb.Tensor) => nb.sum(nb.square(nb.conv2d(a, b, { padding: 'same' })));
  const [gx, gf] = nb.grad(loss, { argnums: [0, 1] })(x, f) as nb.Tensor[];
  bits.push(bitsOf(nb.conv2d(x, f, { padding: 'same' }).dataSync()), bitsOf(gx!.dataSync()), bitsOf(gf!.dataSync()));
}
console.log(JSON.stringify({ simd: (nb.backendInfo('native') as { simd?: string }).simd, bits }));
