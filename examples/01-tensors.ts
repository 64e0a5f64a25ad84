// 1. Tensors: create them, print them, compute with broadcasting, read values back.
import * as nb from '../src/index.js';

const a = nb.tensor([[1, 2], [3, 4]]);
console.log('a =', a.toString());
console.log('shape', a.shape, 'dtype', a.dtype, 'rank', a.rank, 'size', a.size);

// Other ways to make tensors: constants, ranges, random numbers (seeded: the same on every run).
nb.random.seed(0);
console.log(nb.zeros([2, 3]).toString());
console.log(nb.range(0, 10, 2).toString());
console.log(nb.random.normal([2, 2]).toString());

// Arithmetic broadcasts like numpy: subtract the first row from every row.
const centred = a.sub(a.at(0));
console.log('a - a[0] =', centred.toString());
console.log('exp(a)[0] =', nb.exp(a).at(0).toString());
console.log('a @ a =', nb.matmul(a, a).toString());
console.log('sum over rows:', a.sum(0).toString(), 'mean:', a.mean().item());

// Reading values back into JS.
console.log('arraySync:', JSON.stringify(a.arraySync()), 'dataSync:', Array.from(a.dataSync()));
for (const row of a) console.log('row', row.toString());
console.log(`RESULT sum=${a.sum().item()}`);
