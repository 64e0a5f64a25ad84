// Every op a backend runs: the primitives, the linear-algebra primitives and the jit's fused ops, by name.
import { PRIMITIVES, type ViewOpName } from '../ops/primitives/index.js';
import { LINALG_OPS } from '../linalg/primitives.js';
import { FUSED_OPS } from '../jit/fused-ops.js';
import { SIGNAL_OPS } from '../signal/fft-ops.js';
import { PREPACKED_OPS } from '../jit/prepacked-ops.js';
import { CONV_POOL_OPS } from '../jit/conv-pool-op.js';
import { SOFTMAX_ROWS_OPS } from '../jit/softmax-rows-op.js';

export const KERNEL_OPS = { ...PRIMITIVES, ...LINALG_OPS, ...FUSED_OPS, ...SIGNAL_OPS, ...PREPACKED_OPS, ...CONV_POOL_OPS, ...SOFTMAX_ROWS_OPS };
export type KernelOpName = keyof typeof KERNEL_OPS;
/**
 * The ops every backend computes with a kernel (views are stride changes and need none;
 * packGemmB only where the backend offers Backend.prepack, fusedConvPool only where it has the kernel).
 */
export type ComputedOpName = Exclude<KernelOpName, ViewOpName | keyof typeof PREPACKED_OPS | keyof typeof CONV_POOL_OPS | keyof typeof SOFTMAX_ROWS_OPS>;
