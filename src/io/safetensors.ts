/**
 * `nb.io.safetensors`: tensors to and from safetensors files or bytes.
 * @module
 */
import type { Tensor } from '../tensor/tensor.js';
import { readFileBytes, writeFileAtomic } from './atomic-file.js';
import { decodeSafetensors, encodeSafetensors, readToHost, type SafetensorsContents } from './safetensors-format.js';

export type { SafetensorsContents };

/** The safetensors bytes of `{name: tensor}` (float32, float64, int32 and bool are written as F32, F64, I32, BOOL). */
export function encode(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  return encodeSafetensors(tensors, metadata);
}

/** Tensors and metadata from safetensors bytes (F16/BF16 become float32; 8/16-bit integers int32; 64-bit integers int32 when they fit). */
export function decode(bytes: Uint8Array): SafetensorsContents {
  return decodeSafetensors(bytes);
}

/** Write `{name: tensor}` to a .safetensors file atomically (Node). */
export async function save(path: string, tensors: Record<string, Tensor>, metadata?: Record<string, string>): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(await readToHost(tensors), metadata), 'safetensors.save');
}

/** Read a .safetensors file (Node): `{ tensors, metadata }`. */
export async function load(path: string): Promise<SafetensorsContents> {
  return decodeSafetensors(await readFileBytes(path, 'safetensors.load'), `'${path}'`);
}
