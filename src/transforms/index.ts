// Function transforms beyond reverse mode (README "Function transforms").
export { jvp, linearize } from './jvp.js';
export { jacfwd, jacrev, hessian, hvp, overBasis, type JacobianOptions } from './jacobian.js';
