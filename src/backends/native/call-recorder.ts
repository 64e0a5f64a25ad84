// Records the addon calls the native kernels make, so the jit can replay a span of steps as one
// plan (native/src/plan.h). The kernels hold `live`, a copy of the addon's function table:
// while recording, its kernel entries are swapped for versions that note each call (entry,
// op code, argument words, arrays) before making it, so eager execution pays nothing.
import type { TypedArray } from '../../tensor/dtype.js';
import { writtenArrays, type KernelEntryName, type NativeAddon } from './load-addon.js';
import type { ArgWriter } from './kernel-table.js';

export interface EntrySpec {
  readonly name: KernelEntryName;
  readonly takesOp: boolean;
  /** Which array argument the entry writes (-1: the last). */
  readonly outputIndex: number;
}

export interface RecordedCall {
  readonly entry: number;
  readonly name: KernelEntryName;
  readonly op: number;
  readonly words: Float64Array;
  readonly arrays: readonly TypedArray[];
  /** Index into `arrays` of the first one the call writes. */
  readonly output: number;
  /** How many arrays from `output` on the call writes (fusedElementwise may write several). */
  readonly outputCount: number;
}

export class CallRecorder {
  /** The addon as the kernels see it. */
  readonly live: NativeAddon;
  readonly entries: readonly EntrySpec[];
  private calls: RecordedCall[] | null = null;
  private tainted = false;

  constructor(
    private readonly addon: NativeAddon,
    private readonly args: ArgWriter,
  ) {
    this.entries = addon.planEntries();
    this.live = { ...addon };
  }

  begin(): void {
    this.calls = [];
    this.tainted = false;
    this.entries.forEach((spec, entry) => {
      const raw = this.addon[spec.name] as (...a: unknown[]) => void;
      (this.live as unknown as Record<string, unknown>)[spec.name] = (...a: unknown[]) => {
        this.note(entry, spec, a);
        raw(...a);
      };
    });
  }

  /** Stop; the calls, or null when a kernel did work of its own that a replay would miss. */
  end(): RecordedCall[] | null {
    for (const spec of this.entries) (this.live as unknown as Record<string, unknown>)[spec.name] = this.addon[spec.name];
    const calls = this.calls;
    this.calls = null;
    return this.tainted ? null : calls;
  }

  /** Whether calls are being recorded now. */
  get recording(): boolean {
    return this.calls !== null;
  }

  /** Kernels call this before computing anything in JS (the recording becomes unusable). */
  taint(): void {
    if (this.calls) this.tainted = true;
  }

  private note(entry: number, spec: EntrySpec, a: unknown[]): void {
    const op = spec.takesOp ? (a[0] as number) : -1;
    const arrays = (spec.takesOp ? a.slice(1) : a) as TypedArray[];
    const words = this.args.buffer.slice(0, this.args.used);
    const written = writtenArrays(spec, arrays.length, words);
    this.calls!.push({ entry, name: spec.name, op, words, arrays, output: written.first, outputCount: written.count });
  }
}
