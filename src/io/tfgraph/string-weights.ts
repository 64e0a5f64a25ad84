// String constants of a graph model (hash-table keys, vocabularies): TF.js's converter stores them in
// the weight shards like any Const, as each string's byte length (uint32, little-endian) then its
// UTF-8 bytes. They are taken out here, leaving a numeric manifest and shards for decodeTfjsWeights.
import { ValueError } from '../../errors.js';
import { StringTensor } from '../../tensor/string-tensor.js';
import type { TfjsModelJson, TfjsWeightSpec } from '../tfjs-format.js';

type Manifest = NonNullable<TfjsModelJson['weightsManifest']>;

const WIDTH: Record<string, number> = { float32: 4, int32: 4, bool: 1 };
const QUANTIZED_WIDTH: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };
const utf8 = new TextDecoder('utf-8', { fatal: true });

const isStringSpec = (w: unknown) => typeof w === 'object' && w !== null && (w as TfjsWeightSpec).dtype === 'string';

/** The manifest without its string weights (what checkTfjsManifest and decodeTfjsWeights read). */
export function numericManifest(manifest: unknown): unknown {
  if (!Array.isArray(manifest)) return manifest;
  return manifest.map((g: unknown) =>
    typeof g === 'object' && g !== null && Array.isArray((g as { weights?: unknown }).weights) ? { ...g, weights: (g as { weights: unknown[] }).weights.filter((w) => !isStringSpec(w)) } : g,
  );
}

/** Whether manifest group `g` holds string weights (its byte size is then known only from the shards). */
export function groupHasStrings(manifest: unknown, g: number): boolean {
  const group = Array.isArray(manifest) ? (manifest[g] as { weights?: unknown }) : undefined;
  return Array.isArray(group?.weights) && group.weights.some(isStringSpec);
}

/**
 * Splits the string weights out of `shards` (in manifest order, a group's shards back to back):
 * the numeric manifest, one shard per group with only the numeric bytes, and the strings by name.
 */
export function splitStringWeights(manifest: Manifest, shards: Uint8Array[], source: string): { manifest: Manifest; shards: Uint8Array[]; strings: Map<string, StringTensor> } {
  const strings = new Map<string, StringTensor>();
  const outShards: Uint8Array[] = [];
  let shardIndex = 0;
  for (const group of manifest) {
    const parts = shards.slice(shardIndex, shardIndex + group.paths.length);
    shardIndex += group.paths.length;
    const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (data.set(p, at), at + p.length), 0);
    if (!group.weights.some(isStringSpec)) {
      outShards.push(data);
      continue;
    }
    const kept: Uint8Array[] = [];
    let at = 0;
    for (const spec of group.weights) {
      if (!Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
        throw new ValueError(`TF.js weights: '${spec.name}' in ${source} has shape ${JSON.stringify(spec.shape)}; expected non-negative integers`);
      }
      const n = spec.shape.reduce((a, b) => a * b, 1);
      if (spec.dtype !== 'string') {
        const width = spec.quantization ? (QUANTIZED_WIDTH[spec.quantization.dtype] ?? 1) : (WIDTH[spec.dtype] ?? 4);
        kept.push(data.subarray(at, at + n * width));
        at += n * width;
        continue;
      }
      const values: string[] = [];
      for (let i = 0; i < n; i++) {
        if (at + 4 > data.length) throw new ValueError(`TF.js weights: string weight '${spec.name}' in ${source} runs past the end of its shards (string ${i} of ${n})`);
        const len = new DataView(data.buffer, data.byteOffset + at, 4).getUint32(0, true);
        at += 4;
        if (at + len > data.length) throw new ValueError(`TF.js weights: string ${i} of '${spec.name}' in ${source} claims ${len} bytes, past the end of its shards`);
        try {
          values.push(utf8.decode(data.subarray(at, at + len)));
        } catch {
          throw new ValueError(`TF.js weights: string ${i} of '${spec.name}' in ${source} is not valid UTF-8`);
        }
        at += len;
      }
      strings.set(spec.name, new StringTensor(values, spec.shape));
    }
    if (at !== data.length) throw new ValueError(`TF.js weights: ${source} has ${data.length - at} bytes after the last weight of its manifest group; manifest and shards do not match`);
    const numeric = new Uint8Array(kept.reduce((s, k) => s + k.length, 0));
    kept.reduce((o, k) => (numeric.set(k, o), o + k.length), 0);
    outShards.push(numeric);
  }
  return { manifest: numericManifest(manifest) as Manifest, shards: outShards, strings };
}
