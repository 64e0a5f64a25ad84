// 13. A custom layer (build/call/addWeight) inside a Sequential model.
import * as nb from '../src/index.js';

const quick = process.argv.includes('--quick');

/** y = x * w + b elementwise, with one learned scale and shift per feature. */
class ScaleShift extends nb.layers.Layer {
  w!: nb.Variable;
  b!: nb.Variable;
  override build(inputShape: (number | null)[]): void {
    const features = inputShape.at(-1)!;
    this.w = this.addWeight('w', [features], 'ones');
    this.b = this.addWeight('b', [features], 'zeros');
  }
  override call(x: nb.Tensor): nb.Tensor {
    return x.mul(this.w).add(this.b);
  }
}
nb.layers.register(ScaleShift);

nb.random.seed(13);
const x = nb.random.normal([256, 3]);
const y = x.mul(nb.tensor([2, -1, 0.5])).add(nb.tensor([1, 0, -1]));
const model = new nb.Sequential([nb.keras.Input([3]) as never, new ScaleShift()].slice(1));
model.add(new nb.layers.Dense(3, { useBias: false, kernelInitializer: 'identity' in nb.initializers ? 'identity' : 'ones' }));
model.compile({ optimizer: new nb.optimizers.Adam(0.05), loss: 'mse' });
model.build([null, 3]);
model.summary();
const h = await model.fit(x, y, { epochs: quick ? 30 : 60, batchSize: 32, verbose: 0 });
console.log(`loss ${h.history.loss![0]!.toFixed(4)} -> ${h.history.loss!.at(-1)!.toFixed(4)}`);
console.log(`RESULT loss=${h.history.loss!.at(-1)}`);
