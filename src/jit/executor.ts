import type { Backend, Kernel, KernelTensor, Layout, OutSpec } from '../backends/backend.js';
import { engine } from '../engine/engine.js';
import { noteVariableWrite } from '../engine/variable-writes.js';
import type { FusedElementwiseAttrs } from './fused-ops.js';
import { generator, type RandomAttrs } from '../ops/primitives/random.js';
import { contiguousLayout, isContiguous } from '../tensor/layout.js';
import { shapesEqual, sizeOf } from '../tensor/shape.js';
import { Storage } from '../tensor/storage.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import type { Graph, Value } from './graph.js';
import { cutSpans, recordSpan, replaySpan, type Donor, type Span, type SpanStep } from './spans.js';

/** Where a value lives at run time: a buffer slot and a static layout over it. */
interface Place {
  readonly slot: number;
  readonly layout: Layout;
}

/** How a kernel argument is produced from its place: as is, a sub-range, or a gathered copy. */
type ArgMode = 0 | 1 | 2;
const DIRECT = 0;
const SUBRANGE = 1;
const GATHER = 2;

/** One kernel call of the plan; `argSlots`, `outSlots` and `capturable` are SpanStep's. */
interface KernelStep extends SpanStep {
  readonly kernel: Kernel<unknown, unknown>;
  readonly attrs: unknown;
  readonly specs: readonly OutSpec[];
  readonly argModes: readonly ArgMode[];
  readonly argLayouts: readonly Layout[];
  /** Reused argument objects (kernels must not keep them). */
  readonly args: KernelTensor[];
  /** Slots whose buffers are dead after this step (released on backends that need it). */
  readonly frees: number[];
  /** For random ops fed by the generator: their ordinal among such ops. */
  readonly randomOrdinal: number;
}

type Root =
  | { readonly kind: 'input'; readonly index: number }
  | { readonly kind: 'const'; readonly tensor: Tensor }
  | { readonly kind: 'variable'; readonly variable: Variable };

/**
 * A graph prepared once for one backend: slot assignment, static layouts (views cost nothing at
 * run time), argument modes, in-place reuse of dying buffers, and when buffers die. On a backend
 * that can capture kernels (native), each run of consecutive capturable steps is recorded on the
 * first call and replayed afterwards as one backend call, so a whole train step is one call.
 */
export class Plan {
  private roots: Root[] = [];
  private steps: KernelStep[] = [];
  private places = new Map<Value, Place>();
  private slotCount = 0;
  private slotSizes: number[] = [];
  private ownedSlots = new Set<number>();
  private randomCount = 0;
  /** The steps cut into spans: replayable ones and (length-1 spans) the rest. */
  private spans: Span[] = [];

  constructor(
    private readonly graph: Graph,
    readonly backend: Backend,
  ) {
    this.prepare();
  }

  private newSlot(size: number, root?: Root): number {
    const s = this.slotCount++;
    this.slotSizes[s] = size;
    if (root) this.roots[s] = root;
    else this.ownedSlots.add(s);
    return s;
  }

  private placeOf(v: Value): Place {
    let p = this.places.get(v);
    if (p) return p;
    const src = v.source;
    if (src.kind === 'node') throw new Error(`jit: value %${v.id} used before it is computed`);
    const root: Root = src.kind === 'input' ? { kind: 'input', index: src.index } : src.kind === 'const' ? { kind: 'const', tensor: src.tensor } : { kind: 'variable', variable: src.variable };
    p = { slot: this.newSlot(sizeOf(v.shape), root), layout: contiguousLayout(v.shape) };
    this.places.set(v, p);
    return p;
  }

  private prepare(): void {
    const g = this.graph;
    // Last step at which each value is read; roots live to the end.
    const lastUse = new Map<number, number>();
    const pinned = new Set<number>();
    const rootValues = new Set(g.roots());
    const updateValues = new Set(g.updates.values());
    g.nodes.forEach((n, i) => n.inputs.forEach((v) => lastUse.set(v.id, i)));
    for (const n of g.nodes) {
      for (const v of n.inputs) this.placeOf0(v);
      if (n.op.view) {
        const src = this.places.get(n.inputs[0]!)!;
        let layout = n.op.view(src.layout, n.attrs as never);
        let slot = src.slot;
        if (!layout) {
          const copy = this.gatherStep(src, n.inputs[0]!);
          slot = copy;
          layout = n.op.view(contiguousLayout(n.inputs[0]!.shape), n.attrs as never)!;
        }
        this.places.set(n.outputs[0]!, { slot, layout });
        continue;
      }
      const argPlaces = n.inputs.map((v) => this.places.get(v)!);
      let attrs = n.attrs;
      let outSlots: number[] | undefined;
      // A variable's update on a capturing backend is better written into the variable's own
      // buffer (see donorFor) than over a dying input, which would leave the update elsewhere.
      const updatesVariable = !!this.backend.capture && updateValues.has(n.outputs[0]!);
      if (n.op.name === 'fusedElementwise' && n.outputs.length === 1 && !updatesVariable) {
        const i = this.inPlaceCandidate(n.inputs, argPlaces, n.outputs[0]!, lastUse, g.nodes.indexOf(n), rootValues);
        if (i >= 0) {
          attrs = { ...(n.attrs as FusedElementwiseAttrs), inPlace: i };
          outSlots = [argPlaces[i]!.slot];
          pinned.add(argPlaces[i]!.slot);
        }
      }
      outSlots ??= n.outputs.map((o) => this.newSlot(sizeOf(o.shape)));
      n.outputs.forEach((o, k) => this.places.set(o, { slot: outSlots[k]!, layout: contiguousLayout(o.shape) }));
      const modes = argPlaces.map((p, k) => this.argMode(p, n.inputs[k]!));
      const isRandom = n.op.name === 'random' && (n.attrs as RandomAttrs).fromGenerator;
      const kernel = engine.kernelFor(this.backend, n.op) as Kernel<unknown, unknown>;
      const capture = this.backend.capture;
      this.steps.push({
        kernel,
        attrs,
        specs: n.outputs.map((o) => ({ shape: o.shape, dtype: o.dtype })),
        argSlots: argPlaces.map((p) => p.slot),
        argModes: modes,
        argLayouts: argPlaces.map((p) => p.layout),
        args: n.inputs.map((v) => ({ data: null, shape: v.shape, dtype: v.dtype })),
        outSlots,
        frees: [],
        randomOrdinal: isRandom ? this.randomCount++ : -1,
        capturable: !!capture && !isRandom && capture.canCapture(n.op.name) && kernel === (this.backend.kernels[n.op.name] as unknown),
      });
    }
    for (const v of g.roots()) this.placeOf0(v);
    this.planFrees(g);
    this.planSpans(g);
  }

  /** Cut the steps into spans (spans.ts). */
  private planSpans(g: Graph): void {
    const keep = new Set(g.roots().map((v) => this.places.get(v)!.slot));
    this.spans = cutSpans(this.steps, keep, (slot, inputs, readLater) => this.donorFor(g, slot, inputs, readLater));
  }

  /**
   * Give each intermediate buffer back to the backend after the last step that reads it (a no-op
   * for host memory; on a GPU it returns the buffer to the pool at once instead of at GC).
   */
  private planFrees(g: Graph): void {
    const keep = new Set(g.roots().map((v) => this.places.get(v)!.slot));
    const last = new Map<number, number>();
    this.steps.forEach((st, i) => {
      for (const s of st.outSlots) if (!last.has(s)) last.set(s, i);
      for (const s of st.argSlots) last.set(s, i);
    });
    for (const [slot, i] of last) {
      if (this.ownedSlots.has(slot) && !keep.has(slot)) this.steps[i]!.frees.push(slot);
    }
  }

  /** Inputs, constants and variables get their places on first use. */
  private placeOf0(v: Value): void {
    if (!this.places.has(v)) this.placeOf(v);
  }

  private argMode(p: Place, v: Value): ArgMode {
    const size = sizeOf(v.shape);
    if (!isContiguous(p.layout)) return GATHER;
    if (p.layout.offset === 0 && this.slotSizes[p.slot] === size) return DIRECT;
    return SUBRANGE;
  }

  /** A step that copies a strided view into a new contiguous slot. */
  private gatherStep(src: Place, v: Value): number {
    const slot = this.newSlot(sizeOf(v.shape));
    const backend = this.backend;
    const layout = src.layout;
    const kernel: Kernel<unknown, unknown> = (args) => [backend.materialize(args[0]!.data, v.dtype, layout)];
    this.steps.push({
      kernel,
      attrs: {},
      specs: [{ shape: v.shape, dtype: v.dtype }],
      argSlots: [src.slot],
      argModes: [DIRECT],
      argLayouts: [contiguousLayout([this.slotSizes[src.slot]!])],
      args: [{ data: null, shape: [this.slotSizes[src.slot]!], dtype: v.dtype }],
      outSlots: [slot],
      frees: [],
      randomOrdinal: -1,
      capturable: !!backend.capture,
    });
    return slot;
  }

  /** An argument whose buffer dies at this step, owned by the plan and shaped like the output, can be overwritten. */
  private inPlaceCandidate(inputs: Value[], places: Place[], out: Value, lastUse: Map<number, number>, step: number, roots: Set<Value>): number {
    for (let i = 0; i < inputs.length; i++) {
      const v = inputs[i]!;
      const p = places[i]!;
      if (!this.ownedSlots.has(p.slot) || roots.has(v) || v.dtype !== out.dtype || !shapesEqual(v.shape, out.shape)) continue;
      if (p.layout.offset !== 0 || !isContiguous(p.layout) || this.slotSizes[p.slot] !== sizeOf(out.shape)) continue;
      if (inputs.indexOf(v) !== i) continue;
      // Every value over this slot must be dead after this step.
      let alive = false;
      for (const [val, pl] of this.places) {
        if (pl.slot === p.slot && ((lastUse.get(val.id) ?? -1) > step || roots.has(val))) alive = true;
      }
      if (!alive) return i;
    }
    return -1;
  }

  private runStep(st: KernelStep, buffers: unknown[], randomBase: number): void {
    const backend = this.backend;
    for (let k = 0; k < st.args.length; k++) {
      const h = buffers[st.argSlots[k]!];
      const mode = st.argModes[k];
      const layout = st.argLayouts[k]!;
      const arg = st.args[k] as { data: unknown; dtype: Tensor['dtype'] };
      arg.data = mode === DIRECT ? h : mode === SUBRANGE ? backend.subrange(h, arg.dtype, layout.offset, sizeOf(layout.shape)) : backend.materialize(h, arg.dtype, layout);
    }
    const attrs = st.randomOrdinal >= 0 ? { ...(st.attrs as RandomAttrs), key: [generator.key, randomBase + st.randomOrdinal] } : st.attrs;
    const outs = st.kernel(st.args, attrs, st.specs);
    for (let k = 0; k < st.outSlots.length; k++) buffers[st.outSlots[k]!] = outs[k];
    for (let k = 0; k < st.args.length; k++) {
      // Gathered copies of strided views are this step's alone.
      if (st.argModes[k] === GATHER) backend.free((st.args[k] as { data: unknown }).data);
      (st.args[k] as { data: unknown }).data = null;
    }
    for (const slot of st.frees) {
      // A kernel may return an input's array as its output: that array lives on in the output's
      // slot. (A dead output of this very step, freed here, is given back.)
      const h = buffers[slot];
      if (!outs.some((o, k) => o === h && st.outSlots[k] !== slot)) backend.free(h);
      buffers[slot] = undefined;
    }
  }

  /**
   * The variable whose old buffer may receive output slot `slot` of a span: the slot holds only
   * that variable's update, is not also a result, and the variable's old value is read by the
   * span and by nothing after it.
   */
  private donorFor(g: Graph, slot: number, spanInputs: Set<number>, readLater: Set<number>): Donor | undefined {
    const updated = [...g.updates].filter(([, v]) => this.places.get(v)!.slot === slot);
    if (updated.length !== 1 || g.outputs.some((v) => this.places.get(v)!.slot === slot)) return undefined;
    const [variable, value] = updated[0]!;
    const layout = this.places.get(value)!.layout;
    if (!isContiguous(layout) || layout.offset !== 0 || this.slotSizes[slot] !== sizeOf(value.shape)) return undefined;
    const own = this.roots.findIndex((r) => r?.kind === 'variable' && r.variable === variable);
    if (own < 0 || !spanInputs.has(own) || readLater.has(own)) return undefined;
    if (g.outputs.some((v) => this.places.get(v)!.slot === own)) return undefined;
    return { variable, slot: own };
  }

  /** Run with the flattened tensor inputs; returns output tensors and applies variable updates. */
  private runSteps(span: Span, buffers: unknown[], base: number): void {
    for (let i = span.start; i < span.end; i++) this.runStep(this.steps[i]!, buffers, base);
  }

  /** A result of the run as a tensor: a view of its slot's buffer (one storage per slot), or a copy where it would alias a root. */
  private resultTensor(v: Value, buffers: unknown[], storages: Map<number, Storage>): Tensor {
    const backend = this.backend;
    const p = this.places.get(v)!;
    const root = this.roots[p.slot];
    if (root || !isContiguous(p.layout)) {
      // Results never alias inputs, constants or variables: copy those out.
      const h = backend.materialize(buffers[p.slot], v.dtype, p.layout);
      return engine.wrap(backend, h, v.shape, v.dtype);
    }
    let s = storages.get(p.slot);
    if (!s) {
      s = new Storage(backend, buffers[p.slot], v.dtype, this.slotSizes[p.slot]!);
      engine.memory.onAlloc(s);
      storages.set(p.slot, s);
    }
    return engine.view(s, p.layout);
  }

  run(inputs: readonly Tensor[]): Tensor[] {
    const backend = this.backend;
    const buffers: unknown[] = new Array(this.slotCount);
    // Plain loops, no closures: a batch-1 predict pays for each step of this per call.
    const roots = this.roots;
    for (let s = 0; s < roots.length; s++) {
      const r = roots[s];
      if (!r) continue;
      const t = r.kind === 'input' ? inputs[r.index]! : r.kind === 'const' ? r.tensor : r.variable;
      buffers[s] = engine.handleOn(t, backend);
    }
    const base = generator.counter;
    generator.counter += this.randomCount;
    const inPlace = new Set<Variable>();
    for (const span of this.spans) {
      if (span.replay) {
        replaySpan(span, backend, buffers, inPlace);
        continue;
      }
      if (!span.recorded) recordSpan(span, backend, buffers, () => this.runSteps(span, buffers, base));
      else this.runSteps(span, buffers, base);
    }
    const storages = new Map<number, Storage>();
    const outputs = this.graph.outputs;
    const outs = new Array<Tensor>(outputs.length);
    for (let k = 0; k < outputs.length; k++) outs[k] = this.resultTensor(outputs[k]!, buffers, storages);
    for (const variable of this.graph.updates.keys()) noteVariableWrite(variable);
    for (const [variable, v] of this.graph.updates) {
      if (inPlace.has(variable)) continue;
      const t = this.resultTensor(v, buffers, storages);
      const fresh = t.offset === 0 && t.storage.size === t.size ? t : engine.copyOf(t);
      engine.memory.swapStorage(variable, fresh.storage);
      // The variable now holds the storage; the wrappers were only a way to get there.
      if (fresh !== t) fresh.dispose();
      t.dispose();
    }
    return outs;
  }
}
