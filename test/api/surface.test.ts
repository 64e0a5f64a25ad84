// The public surface is what the ops declare (src/ops/surface.ts): the generated files are
// current, nb exports nothing else but the non-op API listed here, and every declared method
// exists on Tensor.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { generate } from '../../scripts/gen-api.js';
import { surfaceOf } from '../../src/ops/surface.js';
import { TENSOR_METHOD_NAMES } from '../../src/api/tensor-method-names.js';
import { PRIMITIVES, VIEW_OPS } from '../../src/ops/primitives/index.js';

// What nb exports besides ops: classes, engine and autograd entry points, namespaces.
const NON_OP_API = [
  'NablaError', 'ShapeError', 'DTypeError', 'ValueError', 'Tensor', 'StringTensor', 'Variable', 'GradientTape', 'Model', 'Sequential', 'SymbolicTensor',
  'setBackend', 'getBackend', 'backends', 'withBackend', 'backendInfo', 'tidy', 'keep', 'dispose', 'memory',
  'grad', 'valueAndGrad', 'customGradient', 'jit', 'cond', 'whileLoop', 'checkpoint', 'scan', 'vmap',
  'jvp', 'linearize', 'jacfwd', 'jacrev', 'hessian', 'hvp',
  'random', 'nn', 'optimizers', 'losses', 'data', 'datasets', 'preprocessing', 'utils', 'layers', 'keras', 'io', 'models',
  'callbacks', 'initializers', 'regularizers', 'activations', 'metrics', 'onnx', 'signal', 'linalg', 'distribute',
];

describe('public surface', () => {
  it('the generated files match the declarations (run `npm run gen:api` when this fails)', async () => {
    for (const [name, text] of await generate()) {
      expect(readFileSync(join(__dirname, '../../src/api', name), 'utf8'), `src/api/${name}`).toBe(text);
    }
  });

  it('nb exports exactly the declared ops and the non-op API', () => {
    const names = Object.keys(nb);
    const ops = names.filter((n) => surfaceOf((nb as Record<string, unknown>)[n]));
    expect(names.filter((n) => !ops.includes(n)).sort()).toEqual([...NON_OP_API].sort());
    // No implementation helper slipped in under a declared name either.
    expect(ops.length).toBeGreaterThan(140);
  });

  it('every op declared as a method is a Tensor method calling it', () => {
    const x = nb.tensor([[0.5, -1.5], [2, 0.25]]);
    for (const name of TENSOR_METHOD_NAMES) {
      const method = (x as unknown as Record<string, unknown>)[name];
      expect(typeof method, name).toBe('function');
      expect(surfaceOf((nb as Record<string, unknown>)[name])?.method, name).toBe(true);
    }
    expect(x.isInf().arraySync()).toEqual([[false, false], [false, false]]);
    expect(x.hardSwish().arraySync()).toEqual((nb.hardSwish(x) as nb.Tensor).arraySync());
    expect(x.sum(1).arraySync()).toEqual([-1, 2.25]);
  });

  it('nb.nn and nb.activations hold the ops declared for them', () => {
    for (const [name, fn] of Object.entries(nb)) {
      const s = surfaceOf(fn);
      if (s?.nn) expect((nb.nn as Record<string, unknown>)[name], `nb.nn.${name}`).toBe(fn);
      if (s?.activation) expect(nb.activations.names(), name).toContain(s.activation === true || !s.activation.name ? name : s.activation.name);
    }
    expect(nb.activations.names()).toContain('hardSwish');
    expect(nb.activations.get('leaky_relu')).toBe(nb.leakyRelu);
    expect(nb.activations.serialize(nb.relu6)).toBe('relu6');
  });

  it('VIEW_OPS (the primitives backends need no kernel for) are exactly those with a view rule', () => {
    const views = Object.entries(PRIMITIVES).filter(([, op]) => 'view' in op && op.view).map(([n]) => n);
    expect(views.sort()).toEqual([...VIEW_OPS].sort());
  });
});
