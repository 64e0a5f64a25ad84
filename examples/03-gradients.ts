// 3. Gradients: a GradientTape records operations and differentiates them.
import * as nb from '../src/index.js';

const a = nb.tensor(3);
const b = nb.tensor(4);
const tape = new nb.GradientTape({ persistent: true });
tape.watch([a, b]); // variables are watched automatically; plain tensors must be watched
const c = nb.sqrt(nb.square(a).add(nb.square(b)));
const [dcDa, dcDb] = tape.gradient(c, [a, b]);
console.log(`c = sqrt(a^2 + b^2) = ${c.item()}; dc/da = ${dcDa.item()} (a/c = 0.6), dc/db = ${dcDb.item()} (b/c = 0.8)`);
tape.dispose();

// A second derivative: nest tapes. d²/dx² x³ = 6x.
const x = new nb.Variable(2);
const outer = new nb.GradientTape();
const inner = new nb.GradientTape();
const y = x.mul(x).mul(x);
const dy = inner.gradient(y, x);
const d2y = outer.gradient(dy, x);
console.log(`y = x^3 at x = 2: dy/dx = ${dy.item()}, d2y/dx2 = ${d2y.item()}`);

// The functional forms.
const f = (t: nb.Tensor) => nb.sin(t).mul(t);
console.log('grad of x sin x at 1:', (nb.grad(f)(1) as nb.Tensor).item());
console.log(`RESULT d2=${d2y.item()}`);
