// Eager conv2d's kept Winograd filters. Where a forward float32 conv runs Winograd from a pack of
// its transformed filter (native/src/conv-algorithm.h: ResNet-18's 14x14x256 at batch 1), making
// the pack costs more than the conv (2.4 vs 0.8 ms); compiled inference graphs make it once per
// weight (src/jit/passes/prepack-weights.ts). Eager calls get the same here: a filter array seen a
// second time gets a cache buffer (the pack and a copy of the filter it was made from), which the
// C++ kernel (conv2dWinogradCached) reads where the copy still equals the filter bit for bit and
// remakes first where it does not (an array written in place or reused for another value). So a
// cached result is never stale, and it is the plain kernel's result bit for bit: the pack is what
// the plain kernel makes on every call. A filter used once (a training step's) never gets a buffer.
import type { ConvAttrs } from '../../ops/primitives/conv.js';
import type { TypedArray } from '../../tensor/dtype.js';
import { packedLength } from '../../jit/prepacked-ops.js';
import { sizeOf } from '../../tensor/shape.js';
import type { ArrayStore } from './array-store.js';
import type { NativeAddon } from './load-addon.js';
import type { ArgWriter } from './kernel-table.js';
import { PREPACKED_OP } from './prepacked-kernels.js';
import { writeConvGeometry } from './window-kernels.js';

type Shape = readonly number[];

const OP = PREPACKED_OP;

/** Bytes of cache buffers kept at once: the least recently used are given back past it (ResNet-18 keeps 3 of 12 MB). */
export const WINOGRAD_CACHE_BYTES = 128 * 1024 * 1024;

interface Entry {
  buffer: TypedArray | null;
  readonly bytes: number;
}

export interface WinogradFilterCache {
  /**
   * conv2d forward into a new output from the filter's kept pack, making it on the filter's second
   * use; undefined where this conv does not run Winograd from a pack or the filter is new (the
   * caller runs the plain kernel).
   */
  conv(x: TypedArray, f: TypedArray, shapes: { x: Shape; f: Shape; y: Shape }, attrs: ConvAttrs): TypedArray | undefined;
  /** The filter's array is freed: give back its buffer (the array may return holding another value). */
  forget(f: TypedArray): void;
  /** Buffers kept now, and their bytes (tests). */
  stats(): { buffers: number; bytes: number };
  /** Keep at most this many bytes from now on (0: keep none, the plain kernel on every call; benchmarks, tests). */
  setLimit(bytes: number): void;
}

/**
 * The cache over `addon` (the kernels' view of it); `recording`: whether the jit records calls now,
 * when the plain kernel runs (a recorded plan must not hold a buffer the cache may give back).
 */
export function winogradFilterCache(addon: NativeAddon, args: ArgWriter, store: ArrayStore, recording: () => boolean, limitBytes = WINOGRAD_CACHE_BYTES): WinogradFilterCache | undefined {
  if (typeof addon.prepacked !== 'function') return undefined;
  const entries = new WeakMap<TypedArray, Entry>();
  // Entries holding a buffer, least recently used first (a Map keeps insertion order).
  const held = new Map<Entry, true>();
  let heldBytes = 0;
  // Whether a geometry runs Winograd from a pack, by its words (asked once per shape).
  const answers = new Map<string, boolean>();

  const release = (e: Entry) => {
    if (!e.buffer) return;
    store.free(e.buffer);
    e.buffer = null;
    held.delete(e);
    heldBytes -= e.bytes;
  };

  const usesPack = (shapes: { x: Shape; f: Shape; y: Shape }, attrs: ConvAttrs): boolean => {
    const key = `${shapes.x}|${shapes.f}|${shapes.y}|${attrs.strides}|${attrs.dilations}|${attrs.pads}|${attrs.groups}`;
    let yes = answers.get(key);
    if (yes === undefined) {
      writeConvGeometry(args.begin().int(0), shapes, attrs);
      const answer = store.alloc('int32', 1);
      addon.prepacked!(OP.winogradQuery, answer);
      yes = store.host(answer)[0] === 1;
      store.free(answer);
      answers.set(key, yes);
    }
    return yes;
  };

  return {
    conv(x, f, shapes, attrs) {
      if (recording() || store.dtypeOf(f) !== 'float32' || attrs.channelsFirst || !usesPack(shapes, attrs)) return undefined;
      const e = entries.get(f);
      if (!e) {
        // First use: the plain kernel (which makes the same pack for this call alone).
        const [, , c, o] = shapes.f as [number, number, number, number];
        entries.set(f, { buffer: null, bytes: (packedLength(c, o, 1, true) + sizeOf(shapes.f)) * 4 });
        return undefined;
      }
      if (e.buffer) held.delete(e);
      else {
        if (e.bytes > limitBytes) return undefined;
        for (const old of held.keys()) {
          if (heldBytes + e.bytes <= limitBytes) break;
          release(old);
        }
        // Zeros: the C++ kernel finds no pack in it and makes one.
        e.buffer = store.alloc('float32', e.bytes / 4);
        heldBytes += e.bytes;
      }
      held.set(e, true);
      const out = store.alloc('float32', sizeOf(shapes.y), true);
      writeConvGeometry(args.begin(), shapes, attrs);
      addon.prepacked!(OP.convWinogradCached, x, f, e.buffer, out);
      return out;
    },
    forget(f) {
      const e = entries.get(f);
      if (!e) return;
      release(e);
      entries.delete(f);
    },
    stats: () => ({ buffers: held.size, bytes: heldBytes }),
    setLimit(bytes) {
      limitBytes = bytes;
      for (const old of held.keys()) if (heldBytes > limitBytes) release(old);
    },
  };
}
