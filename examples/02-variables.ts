// 2. Variables: tensors that can change, like a network's weights.
import * as nb from '../src/index.js';

const a = nb.tensor([[1, 2], [3, 4], [5, 6]]);

// Sum the rows one by one with assignAdd...
const s = new nb.Variable(nb.zerosLike(a.at(0)), { name: 'row_sum' });
for (const row of a) s.assignAdd(row);
console.log('by assignAdd:', s.toString());

// ...which is what a reduction along axis 0 does in one op.
const r = a.sum({ axis: 0 });
console.log('by sum({axis: 0}):', r.toString());

s.assign([10, 10]);
s.assignSub(nb.mul(0.5, nb.tensor([2, 4])));
console.log('after assign/assignSub:', s.toString());
console.log(`RESULT same=${nb.all(nb.equal(nb.sum(a, 0), [9, 12])).item() === 1}`);
