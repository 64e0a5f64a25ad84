import { engine, type Recorder } from '../engine/engine.js';
import { ValueError, fmtShape } from '../errors.js';
import type { OpDef } from '../ops/define-op.js';
import { unbroadcast } from '../ops/primitives/reduce.js';
import { add } from '../ops/primitives/binary.js';
import { cast } from '../ops/primitives/cast.js';
import { reshape } from '../ops/primitives/shape.js';
import { stack } from '../ops/primitives/structure.js';
import { zeros, zerosLike, onesLike, tensor } from '../ops/creation.js';
import { isFloat } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { Variable } from './variable.js';

interface Entry {
  readonly op: OpDef<any>;
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly attrs: unknown;
}

/** Sources of a gradient: one tensor, an array, or a record; the result has the same structure. */
export type Sources = Tensor | readonly Tensor[] | Readonly<Record<string, Tensor>>;
export type GradientsOf<S> = S extends Tensor
  ? Tensor
  : S extends readonly Tensor[]
    ? { -readonly [K in keyof S]: Tensor }
    : { [K in keyof S]: Tensor };

/** Options of `GradientTape.gradient`. */
export interface GradientOptions {
  /** What a source unconnected to the target gets: `null` (default, like TensorFlow's None) or zeros. */
  unconnectedGradients?: 'none' | 'zero';
  /** Gradient of the target to start from (default ones). */
  outputGradients?: Tensor | readonly Tensor[];
}

/** Options of {@link GradientTape}. */
export interface TapeOptions {
  /** A persistent tape can be asked for gradients many times; release it with `dispose()` or `using`. */
  persistent?: boolean;
  /** Watch trainable variables automatically (default true). */
  watchAccessedVariables?: boolean;
}

/**
 * What a tape has recorded. The engine holds this part strongly (see `Engine.recorders`), the user
 * holds the GradientTape around it; a tape dropped without being answered or disposed is released
 * by `dropped` once the garbage collector takes it.
 */
class TapeRecords implements Recorder {
  entries: Entry[] = [];
  readonly watched = new Set<number>();
  recording = true;

  constructor(private readonly watchVariables: boolean) {}

  isWatched(t: Tensor): boolean {
    if (this.watched.has(t.id)) return true;
    return this.watchVariables && t instanceof Variable && t.trainable && isFloat(t.dtype);
  }

  /** Called by the engine for every op that runs while the tape is active. */
  record(op: OpDef<any>, inputs: readonly Tensor[], outputs: readonly Tensor[], attrs: unknown): void {
    if (!this.recording || op.notDifferentiable) return;
    let watched = false;
    for (let i = 0; i < inputs.length && !watched; i++) watched = this.isWatched(inputs[i]!);
    if (!watched) return;
    for (let i = 0; i < outputs.length; i++) {
      this.watched.add(outputs[i]!.id);
      outputs[i]!.savedBy++;
    }
    for (let i = 0; i < inputs.length; i++) inputs[i]!.savedBy++;
    this.entries.push({ op, inputs, outputs, attrs });
  }

  release(): void {
    this.recording = false;
    for (const e of this.entries) {
      for (const t of e.inputs) letGo(t);
      for (const t of e.outputs) letGo(t);
    }
    this.entries = [];
    this.watched.clear();
    engine.removeRecorder(this);
  }
}

const dropped = new FinalizationRegistry<TapeRecords>((records) => records.release());

/**
 * Records ops whose inputs include a watched tensor or a trainable variable, from construction
 * until it is asked for a gradient (non-persistent), stopped, or disposed.
 *
 * A tape that is dropped without either stops recording once the garbage collector takes it,
 * which happens only after the current task: dispose persistent tapes (or use `using`) inside
 * long synchronous loops.
 */
export class GradientTape {
  private readonly records: TapeRecords;
  private used = false;
  private disposed = false;
  readonly persistent: boolean;

  constructor(opts: TapeOptions = {}) {
    this.persistent = opts.persistent ?? false;
    this.records = new TapeRecords(opts.watchAccessedVariables ?? true);
    engine.addRecorder(this.records);
    dropped.register(this, this.records, this);
  }

  /** Start tracking `t` (and everything computed from it). */
  watch(...ts: (Tensor | readonly Tensor[])[]): void {
    for (const t of ts.flat()) {
      if (!(t instanceof Tensor)) throw new ValueError(`GradientTape.watch: expected tensors, got ${typeof t}`);
      this.records.watched.add(t.id);
    }
  }

  /** Pause recording inside `fn` (like `tape.stop_recording()`). */
  stopRecording<T>(fn: () => T): T {
    const was = this.records.recording;
    this.records.recording = false;
    try {
      return fn();
    } finally {
      this.records.recording = was;
    }
  }

  /** Gradient of `target` with respect to `sources`, in the same structure as `sources`. */
  gradient<const S extends Sources>(target: Tensor | readonly Tensor[], sources: S, opts: GradientOptions = {}): GradientsOf<S> {
    this.assertUsable('gradient');
    this.used = true;
    const list: Tensor[] =
      sources instanceof Tensor ? [sources] : Array.isArray(sources) ? [...(sources as readonly Tensor[])] : Object.values(sources as Record<string, Tensor>);
    for (const s of list) if (!(s instanceof Tensor)) throw new ValueError(`GradientTape.gradient: sources must be tensors, got ${typeof s}`);
    const targets = target instanceof Tensor ? [target] : [...target];
    const seeds = opts.outputGradients === undefined ? undefined : opts.outputGradients instanceof Tensor ? [opts.outputGradients] : [...opts.outputGradients];
    if (seeds && seeds.length !== targets.length) {
      throw new ValueError(`GradientTape.gradient: ${seeds.length} output gradients for ${targets.length} targets; give one per target`);
    }
    const grads = this.answer(() => this.backprop(targets, seeds, list));
    const out = list.map((s) => {
      const g = grads.get(s.id);
      if (g) return g;
      return opts.unconnectedGradients === 'zero' ? zerosLike(s) : null;
    });
    if (sources instanceof Tensor) return out[0] as GradientsOf<S>;
    if (Array.isArray(sources)) return out as GradientsOf<S>;
    const rec: Record<string, Tensor | null> = {};
    Object.keys(sources).forEach((k, i) => (rec[k] = out[i]!));
    return rec as GradientsOf<S>;
  }

  private backprop(targets: Tensor[], seeds: Tensor[] | undefined, sources: Tensor[]): Map<number, Tensor> {
    const grads = new Map<number, Tensor>();
    const accumulate = (id: number, g: Tensor) => {
      const prev = grads.get(id);
      grads.set(id, prev ? add(prev, g) : g);
    };
    targets.forEach((t, i) => {
      const seed = seeds?.[i] ?? onesLike(t);
      if (seed.shape.length !== t.shape.length || seed.shape.some((d, j) => d !== t.shape[j])) {
        throw new ValueError(`GradientTape.gradient: output gradient of shape ${fmtShape(seed.shape)} does not match target shape ${fmtShape(t.shape)}`);
      }
      accumulate(t.id, seed);
    });
    const wanted = new Set(sources.map((s) => s.id));
    // Only entries on a path to the target matter; walk backwards once.
    const entries = this.records.entries;
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]!;
      let reached = false;
      const dys = new Array<Tensor>(e.outputs.length);
      for (let j = 0; j < e.outputs.length; j++) {
        const g = grads.get(e.outputs[j]!.id);
        if (g) reached = true;
        dys[j] = g!;
      }
      if (!reached) continue;
      if (!e.op.grad) throw new ValueError(`GradientTape.gradient: op '${e.op.name}' has no gradient defined`);
      for (let j = 0; j < dys.length; j++) dys[j] ??= zerosLike(e.outputs[j]!);
      const dxs = e.op.grad(dys, { inputs: e.inputs, outputs: e.outputs, attrs: e.attrs });
      for (let j = 0; j < dxs.length; j++) {
        const dx = dxs[j];
        const x = e.inputs[j]!;
        // Constants beside watched tensors get no gradient, as in TensorFlow.
        if (!dx || !isFloat(x.dtype) || !this.records.isWatched(x)) continue;
        let g = unbroadcast(dx, x.shape);
        if (g.dtype !== x.dtype) g = cast(g, x.dtype);
        accumulate(x.id, g);
      }
      // Free gradients nobody upstream needs (keep the sources').
      for (const o of e.outputs) if (!wanted.has(o.id)) grads.delete(o.id);
    }
    return grads;
  }

  /**
   * Jacobian of `target` (any shape) with respect to one source: shape [...target, ...source], one
   * backward pass per element of `target`. Like `gradient`, a non-persistent tape allows it once.
   */
  jacobian(target: Tensor, source: Tensor): Tensor {
    this.assertUsable('jacobian');
    if (!(target instanceof Tensor) || !(source instanceof Tensor)) throw new ValueError('GradientTape.jacobian: target and source must be tensors');
    this.used = true;
    const n = target.size;
    const rows = this.answer(() => {
      const out: Tensor[] = [];
      for (let i = 0; i < n; i++) {
        const seed = new Float64Array(n);
        seed[i] = 1;
        const grads = this.backprop([target], [cast(tensor(seed, target.shape, 'float64'), target.dtype)], [source]);
        out.push(grads.get(source.id) ?? zerosLike(source));
      }
      return out;
    });
    const shape = [...target.shape, ...source.shape];
    return n === 0 ? zeros(shape, source.dtype) : reshape(stack(rows), shape);
  }

  /** Run a backward computation unseen by this tape; a non-persistent tape is spent afterwards, even if it threw. */
  private answer<T>(backward: () => T): T {
    try {
      return engine.withoutRecorder(this.records, backward);
    } finally {
      if (!this.persistent) this.release();
    }
  }

  private assertUsable(method: string): void {
    if (this.disposed) throw new ValueError(`GradientTape.${method}: the tape was disposed (or its 'using' scope ended) and holds no records`);
    if (this.used && !this.persistent) {
      throw new ValueError(
        `GradientTape.${method}: a non-persistent tape can be asked for gradients only once; use new GradientTape({ persistent: true })`,
      );
    }
  }

  private release(): void {
    this.records.release();
    dropped.unregister(this);
  }

  /** Stop recording and drop the records; the tape cannot be asked for gradients after this. */
  dispose(): void {
    this.disposed = true;
    this.release();
  }

  /** Dispose at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** A tape no longer needs `t`; if a `tidy` spared it for the tape, dispose it now. */
function letGo(t: Tensor): void {
  if (--t.savedBy === 0 && t.spared) t.dispose();
}
