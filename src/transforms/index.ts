// Function transforms beyond reverse mode (README "Function transforms").
export { jvp, linearize } from './jvp.js';
export { jacfwd, jacrev, hessian, hvp, basisOf, type JacobianOptions } from './jacobian.js';
