// The bench's models, built with nabla layers: the 784-128-10 MLP and the CNN that the training,
// thread-choice, distributed and inference suites share, and (for bench/inference.ts) a ResNet-18
// with torchvision's shapes (7x7/2 stem, 3x3/2 max pool, four stages of two basic blocks at
// 64/128/256/512 channels, 1x1/2 projections, global average pool, 1000 classes), channels last.
import * as nb from '../src/index.js';

export function mlp(): nb.Sequential {
  return new nb.Sequential([new nb.layers.Dense(128, { activation: 'relu', inputShape: [784] }), new nb.layers.Dense(10, { activation: 'softmax' })]);
}

export function cnn(): nb.Sequential {
  return new nb.Sequential([
    new nb.layers.Conv2D({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
    new nb.layers.MaxPooling2D({ poolSize: 2 }),
    new nb.layers.Conv2D({ filters: 64, kernelSize: 3, activation: 'relu' }),
    new nb.layers.MaxPooling2D({ poolSize: 2 }),
    new nb.layers.Flatten(),
    new nb.layers.Dense(10, { activation: 'softmax' }),
  ]);
}

type Sym = ReturnType<typeof nb.keras.Input>;

/** conv (no bias) + BN, as torchvision writes them; BN statistics randomised so folding has work to do. */
function convBn(x: Sym, filters: number, kernelSize: number, strides: number): Sym {
  const conv = new nb.layers.Conv2D({ filters, kernelSize, strides, padding: 'same', useBias: false });
  return new nb.layers.BatchNormalization().apply(conv.apply(x) as Sym) as Sym;
}

function basicBlock(x: Sym, filters: number, strides: number): Sym {
  const relu = () => new nb.layers.ReLU();
  let y = relu().apply(convBn(x, filters, 3, strides)) as Sym;
  y = convBn(y, filters, 3, 1);
  const shortcut = strides !== 1 || (x.shape.at(-1) as number) !== filters ? convBn(x, filters, 1, strides) : x;
  return relu().apply(new nb.layers.Add().apply([y, shortcut]) as Sym) as Sym;
}

/** ResNet-18 on size x size x 3 images (torchvision: 224). */
export function resnet18(size: number): nb.Model {
  const input = nb.keras.Input([size, size, 3]);
  let x = new nb.layers.ReLU().apply(convBn(input, 64, 7, 2)) as Sym;
  x = new nb.layers.MaxPooling2D({ poolSize: 3, strides: 2, padding: 'same' }).apply(x) as Sym;
  for (const [filters, strides] of [[64, 1], [128, 2], [256, 2], [512, 2]] as const) {
    x = basicBlock(x, filters, strides);
    x = basicBlock(x, filters, 1);
  }
  x = new nb.layers.GlobalAveragePooling2D().apply(x) as Sym;
  const logits = new nb.layers.Dense(1000).apply(x) as Sym;
  const model = new nb.Model({ inputs: input, outputs: logits });
  randomiseBatchNorm(model);
  return model;
}

/** Moving statistics away from 0/1, so BN is not an identity either side could skip. */
function randomiseBatchNorm(model: nb.Model): void {
  let s = 7;
  const r = () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296);
  for (const layer of model.layers) {
    if (!(layer instanceof nb.layers.BatchNormalization)) continue;
    const values = layer.getWeights().map((w, i) => {
      const n = w.shape[0]!;
      // gamma, beta, moving mean, moving variance
      const v = Float32Array.from({ length: n }, () => (i === 0 ? 0.5 + r() : i === 3 ? 0.5 + r() : r() - 0.5));
      return nb.tensor(v, [n]);
    });
    layer.setWeights(values);
  }
}
