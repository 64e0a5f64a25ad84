// Turns recorded addon calls into one native plan (native/src/plan.h). Every array a call
// touched is placed: inside one of the span's inputs, inside one of its outputs (arrays JS
// allocates before each replay, because the results outlive it), or in the plan's arena.
// Arena buffers share memory when their lifetimes (first to last call) do not overlap.
import type { CompiledKernels } from '../backend.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import type { ArrayStore } from './array-store.js';
import { DTYPE_CODE, type KernelEntryName, type NativeAddon } from './load-addon.js';
import type { RecordedCall } from './call-recorder.js';
import { PlanThreadChoice } from './plan-thread-choice.js';

const INPUT = 0;
const OUTPUT = 1;
const SCRATCH = 2;
const ARENA_ALIGN = 64;

interface Region {
  /** Position in the plan's region list. */
  readonly id: number;
  kind: typeof INPUT | typeof OUTPUT | typeof SCRATCH;
  index: number;
  readonly dtype: DType;
  readonly length: number;
  readonly buffer: ArrayBufferLike;
  readonly byteOffset: number;
  readonly byteLength: number;
  first: number;
  last: number;
  arenaOffset: number;
}

/** Where a result comes from after a replay: a region (an input or an output array) and a view of it. */
interface ResultView {
  readonly region: Region;
  readonly byteOffset: number;
  readonly length: number;
  readonly dtype: DType;
}

/** Regions keyed by the ArrayBuffer they lie in (for the wasm backend's arrays, the module's memory). */
class RegionMap {
  readonly all: Region[] = [];
  private byBuffer = new Map<ArrayBufferLike, Region[]>();

  constructor(private readonly dtypeOf: (a: TypedArray) => DType) {}

  find(a: TypedArray): Region | undefined {
    for (const r of this.byBuffer.get(a.buffer) ?? []) {
      if (a.byteOffset >= r.byteOffset && a.byteOffset + a.byteLength <= r.byteOffset + r.byteLength) return r;
    }
    return undefined;
  }

  /** A new region for `a`, or null when it partly overlaps a known one. */
  add(a: TypedArray, kind: Region['kind'], index: number, at: number): Region | null {
    const list = this.byBuffer.get(a.buffer) ?? [];
    for (const r of list) if (a.byteOffset < r.byteOffset + r.byteLength && r.byteOffset < a.byteOffset + a.byteLength) return null;
    const r: Region = { id: this.all.length, kind, index, dtype: this.dtypeOf(a), length: a.length, buffer: a.buffer, byteOffset: a.byteOffset, byteLength: a.byteLength, first: at, last: at, arenaOffset: 0 };
    list.push(r);
    this.byBuffer.set(a.buffer, list);
    this.all.push(r);
    return r;
  }
}

/** Offsets in the arena for the scratch regions; returns the arena's size in bytes. */
function packArena(scratch: Region[]): number {
  const placed: Region[] = [];
  let size = 0;
  const bytes = (r: Region) => Math.ceil(r.byteLength / ARENA_ALIGN) * ARENA_ALIGN;
  for (const r of [...scratch].sort((a, b) => b.byteLength - a.byteLength)) {
    const live = placed.filter((p) => p.first <= r.last && r.first <= p.last).sort((a, b) => a.arenaOffset - b.arenaOffset);
    let offset = 0;
    for (const p of live) {
      if (offset + bytes(r) <= p.arenaOffset) break;
      offset = Math.max(offset, p.arenaOffset + bytes(p));
    }
    r.arenaOffset = offset;
    size = Math.max(size, offset + bytes(r));
    placed.push(r);
  }
  return size;
}

/** Entries that read element i of every full-length operand only to write element i of the output. */
const ELEMENTWISE = new Set<KernelEntryName>(['unary', 'binary', 'where', 'cast', 'fusedElementwise']);

/**
 * Whether output region `out` may live in input region `donor`'s array: every read of the donor
 * comes before the first write of `out`, or in that very call when the call is elementwise over
 * equal lengths (each element is read before it is overwritten).
 */
function canDonate(donor: Region, out: Region, outputsOfRegion: number, calls: readonly RecordedCall[]): boolean {
  if (outputsOfRegion !== 1 || donor.dtype !== out.dtype || donor.length !== out.length) return false;
  if (donor.last < out.first) return true;
  if (donor.last > out.first) return false;
  const call = calls[out.first]!;
  return ELEMENTWISE.has(call.name) && call.arrays.every((a) => a.length === out.length || a.length === 1);
}

/**
 * A replay of `calls` that reads `inputs` and produces `outputs` (arrays as they were during the
 * recording), or null when some array cannot be placed: one read before any recorded call wrote
 * it (JS made its values), overlapping inputs, or an output no recorded call produced.
 */
export function compilePlan(
  addon: NativeAddon,
  store: ArrayStore,
  calls: readonly RecordedCall[],
  inputs: readonly TypedArray[],
  outputs: readonly TypedArray[],
  donors: readonly number[] = [],
): CompiledKernels<TypedArray> | null {
  const dtypeOf = store.dtypeOf;
  const regions = new RegionMap(dtypeOf);
  for (let i = 0; i < inputs.length; i++) if (!regions.add(inputs[i]!, INPUT, i, -1)) return null;
  const encodedCalls: number[] = [];
  for (let c = 0; c < calls.length; c++) {
    const call = calls[c]!;
    encodedCalls.push(call.entry, call.op, call.words.length, ...call.words, call.arrays.length);
    for (let k = 0; k < call.arrays.length; k++) {
      const a = call.arrays[k]!;
      let r = regions.find(a);
      if (!r) {
        if (k < call.output || k >= call.output + call.outputCount) return null;
        r = regions.add(a, SCRATCH, 0, c) ?? undefined;
        if (!r) return null;
      }
      r.first = Math.min(r.first, c);
      r.last = c;
      encodedCalls.push(r.id, a.byteOffset - r.byteOffset, a.length, DTYPE_CODE[dtypeOf(a)]);
    }
  }
  const views: ResultView[] = [];
  let outputRegions = 0;
  for (const a of outputs) {
    const r = regions.find(a);
    if (!r) return null;
    if (r.kind === SCRATCH) {
      r.kind = OUTPUT;
      r.index = outputRegions++;
    }
    views.push({ region: r, byteOffset: a.byteOffset - r.byteOffset, length: a.length, dtype: dtypeOf(a) });
  }
  // Donations: an output region written into the donor input's array instead of a new one.
  const donorOfRegion = new Map<Region, number>();
  const donatable = outputs.map((_, k) => {
    const d = donors[k] ?? -1;
    const v = views[k]!;
    if (d < 0 || v.region.kind !== OUTPUT || v.byteOffset !== 0 || v.length !== v.region.length || donorOfRegion.has(v.region)) return false;
    const donor = regions.all.find((r) => r.kind === INPUT && r.index === d);
    const uses = views.filter((w) => w.region === v.region).length;
    if (!donor || !canDonate(donor, v.region, uses, calls)) return false;
    donorOfRegion.set(v.region, d);
    return true;
  });
  const arenaBytes = packArena(regions.all.filter((r) => r.kind === SCRATCH));
  const descriptor = [1, inputs.length, outputRegions, regions.all.length, arenaBytes, calls.length];
  for (const r of regions.all) descriptor.push(r.kind, r.index, DTYPE_CODE[r.dtype], r.length, r.kind === SCRATCH ? r.arenaOffset : 0);
  const handle = addon.createPlan(Float64Array.from([...descriptor, ...encodedCalls]));
  // The replay keeps plain numbers only: holding a Region would keep the recording's arrays alive.
  const outputSpecs = regions.all
    .filter((r) => r.kind === OUTPUT)
    .sort((a, b) => a.index - b.index)
    .map((r) => ({ dtype: r.dtype, length: r.length, donor: donorOfRegion.get(r) ?? -1, donateFlag: views.findIndex((v) => v.region === r) }));
  const results = views.map((v) => ({ fromInput: v.region.kind === INPUT, index: v.region.index, byteOffset: v.byteOffset, length: v.length, dtype: v.dtype }));
  const threads = new PlanThreadChoice(() => addon.info().threads);
  return {
    donatable,
    threadChoice: () => threads.choice,
    // Plain loops, no closures: this runs once per replayed call (a batch-1 predict's overhead).
    run(current: readonly TypedArray[], donate?: readonly boolean[]): TypedArray[] {
      const outs = new Array<TypedArray>(outputSpecs.length);
      for (let k = 0; k < outputSpecs.length; k++) {
        const r = outputSpecs[k]!;
        outs[k] = r.donor >= 0 && donate?.[r.donateFlag] ? current[r.donor]! : store.alloc(r.dtype, r.length);
      }
      const cap = threads.next();
      if (threads.measuring) {
        const t0 = performance.now();
        addon.runPlan(handle, current, outs, cap);
        threads.record(cap, performance.now() - t0);
      } else addon.runPlan(handle, current, outs, cap);
      const views = new Array<TypedArray>(results.length);
      for (let k = 0; k < results.length; k++) {
        const v = results[k]!;
        const base = v.fromInput ? current[v.index]! : outs[v.index]!;
        views[k] = v.byteOffset === 0 && base.length === v.length && dtypeOf(base) === v.dtype ? base : store.viewOf(base, v.byteOffset, v.length, v.dtype);
      }
      return views;
    },
  };
}
