// Which primitives the native backend runs in C++ and which reuse the reference kernels (its
// handles are typed arrays, so those run directly on them). The table must name every
// primitive exactly once: adding a primitive without deciding here fails to compile.
import type { KernelOpName } from '../kernel-ops.js';
import { unaryOps } from '../../ops/primitives/unary.js';
import { binaryOps } from '../../ops/primitives/binary.js';
import { compareOps } from '../../ops/primitives/compare.js';
import { reduceOps } from '../../ops/primitives/reduce.js';

export type KernelSource = 'native' | 'reference' | 'view';

const fromFamily = <K extends string>(family: Record<K, unknown>): Record<K, 'native'> =>
  Object.fromEntries(Object.keys(family).map((name) => [name, 'native'])) as Record<K, 'native'>;

export const KERNEL_SOURCES = {
  // Every elementwise op and reduction has its C++ kernel (native/src/op-codes.h lists them).
  ...fromFamily(unaryOps),
  ...fromFamily(binaryOps),
  ...fromFamily(compareOps),
  ...fromFamily(reduceOps),
  cast: 'native',
  where: 'native',
  argmax: 'native',
  argmin: 'native',
  matmul: 'native',
  reshape: 'view',
  transpose: 'view',
  slice: 'view',
  broadcastTo: 'view',
  flip: 'view',
  readVariable: 'view',
  stopGradient: 'view',
  copy: 'native',
  pad: 'native',
  concat: 'native',
  random: 'native',
  fusedElementwise: 'native',
  fusedLinear: 'native',
  fusedConvPool: 'native',
  softmaxRows: 'native',
  packGemmB: 'native',
  gather: 'native',
  unsortedSegmentSum: 'native',
  gatherND: 'native',
  scatterND: 'native',
  tensorScatterUpdate: 'native',
  cumsum: 'native',
  cumprod: 'native',
  argsort: 'native',
  conv2d: 'native',
  conv2dBackpropInput: 'native',
  conv2dBackpropFilter: 'native',
  maxPool: 'native',
  maxPoolGrad: 'native',
  maxPoolGradGrad: 'native',
  avgPool: 'native',
  avgPoolGrad: 'native',
  // FFTs and the blocked factorisations are C++ (native/src/fft.cc, native/src/linalg/).
  fft: 'native',
  rfft: 'native',
  irfft: 'native',
  cholesky: 'native',
  triangularSolve: 'native',
  qr: 'native',
  lu: 'native',
  // The eigen- and singular value decompositions are serial loops per matrix; their TypeScript kernels accumulate in float64.
  eigh: 'reference',
  svd: 'reference',
} as const satisfies Record<KernelOpName, KernelSource>;

/** Primitives with a C++ kernel. */
export type NativeOpName = { [K in KernelOpName]: (typeof KERNEL_SOURCES)[K] extends 'native' ? K : never }[KernelOpName];

export function namesWithSource(source: KernelSource): KernelOpName[] {
  return (Object.keys(KERNEL_SOURCES) as KernelOpName[]).filter((n) => KERNEL_SOURCES[n] === source);
}
