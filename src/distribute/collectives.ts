// Collectives on tensors and on host buffers. Values travel through the host: the collective
// library reads and writes plain float32/float64 buffers, whatever backend holds the tensor.
import { DTypeError, ValueError } from '../errors.js';
import { tensor } from '../ops/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { runCollective, worldSize } from './process-group.js';

export type FloatBuffer = Float32Array | Float64Array;

export interface AllReduceOptions {
  /** 'sum' (default) or 'mean' (the sum divided by the world size). */
  op?: 'sum' | 'mean';
}

/** The host values of a float tensor, as a fresh buffer the collective may overwrite. */
function floatValues(op: string, t: Tensor): FloatBuffer {
  if (t.dtype !== 'float32' && t.dtype !== 'float64') throw new DTypeError(`${op}: expected a float32 or float64 tensor, got ${t.dtype} of shape [${t.shape.join(', ')}]`);
  return t.dataSync() as FloatBuffer;
}

/** In place: every rank's buffer becomes the sum over the ranks. */
export function allReduceBuffer(buffer: FloatBuffer, op = 'nb.distribute.allReduce'): void {
  runCollective(op, (c) => c.allReduce(buffer));
}

/** In place: every rank's buffer becomes rank `root`'s. */
export function broadcastBuffer(buffer: FloatBuffer, root: number, op = 'nb.distribute.broadcast'): void {
  checkRoot(op, root);
  runCollective(op, (c) => c.broadcast(buffer, root));
}

/** Every rank's buffer, in rank order, one after the other. */
export function allGatherBuffer(buffer: FloatBuffer, op = 'nb.distribute.allGather'): FloatBuffer {
  const out = buffer instanceof Float32Array ? new Float32Array(buffer.length * worldSize()) : new Float64Array(buffer.length * worldSize());
  runCollective(op, (c) => c.allGather(buffer, out));
  return out;
}

function checkRoot(op: string, root: number): void {
  if (!Number.isInteger(root) || root < 0 || root >= worldSize()) throw new ValueError(`${op}: root must be a rank from 0 to ${worldSize() - 1}, got ${root}`);
}

/** The element-wise sum (or mean) of `t` over every rank, as a new tensor; every rank must call it with the same shape. */
export async function allReduce(t: Tensor, options: AllReduceOptions = {}): Promise<Tensor> {
  const op = 'nb.distribute.allReduce';
  const mode = options.op ?? 'sum';
  if (mode !== 'sum' && mode !== 'mean') throw new ValueError(`${op}: op must be 'sum' or 'mean', got '${String(mode)}'`);
  const values = floatValues(op, t);
  allReduceBuffer(values, op);
  if (mode === 'mean') for (let i = 0; i < values.length; i++) values[i] = values[i]! / worldSize();
  return tensor(values, t.shape, t.dtype);
}

/** Rank `root`'s `t` on every rank, as a new tensor; every rank passes a tensor of the same shape and dtype. */
export async function broadcast(t: Tensor, root = 0): Promise<Tensor> {
  const op = 'nb.distribute.broadcast';
  const values = floatValues(op, t);
  broadcastBuffer(values, root, op);
  return tensor(values, t.shape, t.dtype);
}

/** Every rank's `t` stacked along a new first axis in rank order: shape [worldSize, ...t.shape]. */
export async function allGather(t: Tensor): Promise<Tensor> {
  const op = 'nb.distribute.allGather';
  const values = allGatherBuffer(floatValues(op, t), op);
  return tensor(values, [worldSize(), ...t.shape], t.dtype);
}

/** Wait until every rank reaches this point. */
export async function barrier(): Promise<void> {
  runCollective('nb.distribute.barrier', (c) => c.barrier());
}
