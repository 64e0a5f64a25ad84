import type { Backend, KernelTensor, Kernel } from '../backends/backend.js';
import { ValueError, fmtShape } from '../errors.js';
import type { OpDef } from '../ops/define-op.js';
import { readVariableOp } from './read-variable.js';
import type { DType, TypedArray } from '../tensor/dtype.js';
import { contiguousLayout, isContiguous } from '../tensor/layout.js';
import { sizeOf } from '../tensor/shape.js';
import { Storage } from '../tensor/storage.js';
import { Tensor, setTensorRuntime } from '../tensor/tensor.js';
import { MemoryTracker } from './memory.js';

/** Something that watches ops as they run: a GradientTape. */
export interface Recorder {
  record(op: OpDef<any>, inputs: readonly Tensor[], outputs: readonly Tensor[], attrs: unknown): void;
}

/** Something that replaces execution by recording: the jit tracer. */
export interface Tracer {
  run(op: OpDef<any>, inputs: readonly Tensor[], attrs: unknown): Tensor[];
  /** A variable's `assign` while tracing: recorded, not performed. */
  assign(variable: Tensor, value: Tensor): void;
  /** The tracer this one computes values with, for a transform's tracer stacked on another (jvp inside nb.jit). */
  readonly prev?: Tracer | null;
  /**
   * A transform whose rules map the level below's graph nodes (nb.vmap's batching rules, jvp's
   * forward rules): scan and whileLoop may make nodes under it when a graph is traced below.
   */
  readonly mapsNodes?: boolean;
  /** nb.vmap's tracer: the batch size. Ops reaching it run their batching rules on batched values. */
  readonly batchSize?: number;
  /** nb.vmap's tracer: whether `t` differs between the examples of the batch (control flow on it cannot take one branch). */
  varies?(t: Tensor): boolean;
  /** nb.vmap's tracer: whether a per-example predicate holds for any example of the batch. */
  anyExample?(pred: Tensor): boolean;
  /** nb.vmap's tracer: run `fn` refusing variable assignments (code run for every example whatever its branch). */
  refusingAssign?<T>(why: string, fn: () => T): T;
}

export interface BackendFactory {
  readonly name: string;
  /** Higher wins when choosing the default backend. */
  readonly priority: number;
  /** Started only by `setBackend`, never by a probe or the default choice (a GPU device is costly to open). */
  readonly onDemand?: boolean;
  create(): Backend | Promise<Backend>;
}

/** Dispatch, backend choice, scopes and hooks. One instance: `engine`. */
export class Engine {
  private factories = new Map<string, BackendFactory>();
  private instances = new Map<string, Backend>();
  private failures = new Map<string, string>();
  private pending = new Map<string, Promise<Backend>>();
  private current: Backend | undefined;
  private warned = new Set<string>();
  private scopes: Tensor[][] = [];
  /**
   * Held strongly: a WeakRef would keep its tape (and every tensor it recorded) alive until the
   * current task ends, which a synchronous training loop never reaches. GradientTape releases its
   * recorder when answered or disposed, and a FinalizationRegistry releases a dropped one.
   */
  private recorders: Recorder[] = [];
  tracer: Tracer | null = null;
  readonly memory = new MemoryTracker();
  /** The layers being called, outermost first: traced graph nodes are named under them (TensorBoard's graph). */
  readonly nameScopes: string[] = [];

  registerBackend(factory: BackendFactory): void {
    this.factories.set(factory.name, factory);
  }

  /** Names of the backends that are registered and can be created here. */
  backendNames(): string[] {
    return [...this.factories.values()].sort((a, b) => b.priority - a.priority).map((f) => f.name);
  }

  get backend(): Backend {
    return this.current ?? this.chooseDefault();
  }

  private chooseDefault(): Backend {
    for (const name of this.backendNames()) {
      const b = this.tryCreateSync(name);
      if (b) return (this.current = b);
    }
    throw new ValueError('no backend could be initialised');
  }

  /** Create the named backend once: the instance, a promise while an async factory runs, or undefined if it failed. */
  private start(name: string): Backend | Promise<Backend> | undefined {
    const have = this.instances.get(name) ?? this.pending.get(name);
    if (have) return have;
    if (this.failures.has(name)) return undefined;
    const f = this.factories.get(name);
    if (!f) return undefined;
    let made: Backend | Promise<Backend>;
    try {
      made = f.create();
    } catch (e) {
      this.failures.set(name, errorMessage(e));
      return undefined;
    }
    if (!(made instanceof Promise)) {
      this.instances.set(name, made);
      return made;
    }
    const started = made.then(
      (b) => {
        this.pending.delete(name);
        this.instances.set(name, b);
        return b;
      },
      (e: unknown) => {
        this.pending.delete(name);
        this.failures.set(name, errorMessage(e));
        throw e;
      },
    );
    started.catch(() => undefined); // a probe (backendInfo, instance) must not leave an unhandled rejection
    this.pending.set(name, started);
    return started;
  }

  /** The backend if it is (or can be made) ready synchronously. */
  private tryCreateSync(name: string): Backend | undefined {
    if (this.factories.get(name)?.onDemand && !this.instances.has(name)) return undefined;
    const b = this.start(name);
    return b instanceof Promise ? undefined : b;
  }

  /** Why a backend could not be created, if it failed. */
  failureOf(name: string): string | undefined {
    return this.failures.get(name);
  }

  /** Switch backend. Synchronous backends switch at once; the promise rejects with the reason if it cannot start. */
  setBackend(name: string): Promise<void> {
    if (!this.factories.has(name)) {
      return Promise.reject(new ValueError(`setBackend: unknown backend '${name}'; registered: ${this.backendNames().join(', ')}`));
    }
    const b = this.start(name);
    const unavailable = (why: string | undefined) => new ValueError(`setBackend: backend '${name}' is not available: ${why}`);
    if (b === undefined) return Promise.reject(unavailable(this.failures.get(name)));
    if (!(b instanceof Promise)) {
      this.current = b;
      return Promise.resolve();
    }
    return b.then(
      (ready) => {
        this.current = ready;
      },
      (e: unknown) => {
        throw unavailable(errorMessage(e));
      },
    );
  }

  /** The backend instance of that name, if it is running. */
  instance(name: string): Backend | undefined {
    return this.tryCreateSync(name);
  }

  /** Run `fn` with another backend current, restoring the previous one after. */
  withBackend<T>(name: string, fn: () => T): T {
    const prev = this.current;
    const b = this.instance(name);
    if (!b) throw new ValueError(`withBackend: backend '${name}' is not available: ${this.whyUnavailable(name)}`);
    this.current = b;
    try {
      return fn();
    } finally {
      this.current = prev;
    }
  }

  /** Why `instance(name)` gives nothing. */
  whyUnavailable(name: string): string {
    if (!this.factories.has(name)) return `unknown backend; registered: ${this.backendNames().join(', ')}`;
    if (this.pending.has(name)) return `it starts asynchronously; await nb.setBackend('${name}') first`;
    const failure = this.failures.get(name);
    if (failure) return failure;
    if (this.factories.get(name)!.onDemand) return `it starts on demand; await nb.setBackend('${name}') first`;
    return 'it could not be started';
  }

  warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    console.warn(`nabla: ${message}`);
  }

  // ---------------------------------------------------------------- tensors

  /** Wrap a fresh device buffer holding `spec` as a contiguous tensor. */
  wrap(backend: Backend, handle: unknown, shape: readonly number[], dtype: DType): Tensor {
    const storage = new Storage(backend, handle, dtype, sizeOf(shape));
    this.memory.onAlloc(storage);
    return this.adopt(new Tensor(storage, contiguousLayout(shape)));
  }

  /** Upload host values as a tensor on the current backend (takes ownership of `values`). */
  fromHost(values: TypedArray, shape: readonly number[], dtype: DType): Tensor {
    const b = this.backend;
    return this.wrap(b, b.upload(values), shape, dtype);
  }

  /** A new tensor object over an existing storage (a view). */
  view(storage: Storage, layout: { shape: readonly number[]; strides: readonly number[]; offset: number }): Tensor {
    return this.adopt(new Tensor(storage, layout));
  }

  private adopt(t: Tensor): Tensor {
    this.memory.onTensor(t);
    const scope = this.scopes[this.scopes.length - 1];
    if (scope) scope.push(t);
    return t;
  }

  /**
   * Run `fn` with the tensors it creates collected in `scope` instead of the caller's tidy scopes
   * (vmap's batched values must outlive the user's `tidy` calls around the per-example code).
   */
  collectInto<T>(scope: Tensor[], fn: () => T): T {
    // On top of the stack rather than instead of it: `keep` (the jit keeps the constants it
    // captures) must still find tensors in the caller's scopes.
    this.scopes.push(scope);
    try {
      return fn();
    } finally {
      this.scopes.splice(this.scopes.lastIndexOf(scope), 1);
    }
  }

  /** Dispose what `scope` collected as `tidy` would, but the tensors in `keep`, which join the caller's scope. */
  releaseScope(scope: Tensor[], keep: unknown): void {
    this.scopes.push(scope);
    this.popScope(scope, keep);
  }

  dispose(t: Tensor): void {
    if (t.disposed) return;
    t.disposed = true;
    this.memory.release(t);
  }

  /** Keep `t` alive past the enclosing `tidy`. */
  keep<T extends Tensor>(t: T): T {
    for (const s of this.scopes) {
      const i = s.indexOf(t);
      if (i >= 0) s.splice(i, 1);
    }
    return t;
  }

  /**
   * Run `fn`, then dispose every tensor it created except those it returns (found in arrays and
   * plain objects), kept ones and variables. If `fn` throws, everything it created is disposed.
   */
  tidy<T>(fn: () => T): T {
    const scope: Tensor[] = [];
    this.scopes.push(scope);
    let result: T;
    try {
      result = fn();
    } catch (e) {
      this.popScope(scope, undefined);
      throw e;
    }
    if (result instanceof Promise) {
      this.scopes.pop();
      throw new ValueError('tidy: the function returned a Promise; tidy is synchronous (tensors created after an await would escape it), so call it inside the async code instead');
    }
    this.popScope(scope, result);
    return result;
  }

  private popScope(scope: Tensor[], result: unknown): void {
    this.scopes.pop();
    const kept = new Set<Tensor>();
    collectTensors(result, kept);
    const parent = this.scopes[this.scopes.length - 1];
    for (const t of scope) {
      if (kept.has(t)) parent?.push(t);
      else if (t.isKeptAlive()) continue;
      else if (t.savedBy > 0) t.spared = true;
      else this.dispose(t);
    }
  }

  /** Values of `t` on the host, row-major, as a fresh array. */
  readSync(t: Tensor): TypedArray {
    t.assertAlive('dataSync');
    const b = t.storage.backend;
    if (!b.readSync) {
      throw new ValueError(`dataSync: the '${b.name}' backend can only read asynchronously; use 'await t.data()' or 'await t.array()'`);
    }
    const h = this.contiguousHandle(t, b);
    return b.readSync(h, t.dtype, t.size);
  }

  async read(t: Tensor): Promise<TypedArray> {
    t.assertAlive('data');
    const b = t.storage.backend;
    const h = this.contiguousHandle(t, b);
    return b.read(h, t.dtype, t.size);
  }

  /** A handle holding exactly `t`'s elements, contiguous, on `backend` (views are gathered). */
  handleOn(t: Tensor, backend: Backend): unknown {
    t.assertAlive('jit');
    return this.contiguousHandle(t, backend);
  }

  /** A fresh contiguous copy of `t` with its own storage. */
  copyOf(t: Tensor): Tensor {
    const b = t.storage.backend;
    return this.wrap(b, b.materialize(t.storage.handle, t.dtype, t), t.shape, t.dtype);
  }

  /** `t` itself, or a copy of it on `backend`. */
  private onBackend(t: Tensor, backend: Backend): Tensor {
    return t.storage.backend === backend ? t : this.copyTo(t, backend);
  }

  /** A contiguous copy of `t` on backend `b`, accounted (and released) like any other tensor. */
  private copyTo(t: Tensor, b: Backend): Tensor {
    const src = t.storage.backend;
    if (!src.readSync) throw new ValueError(`cannot move a tensor from '${src.name}' to '${b.name}' synchronously; read it with data() first`);
    const host = src.readSync(this.contiguousHandle(t, src), t.dtype, t.size);
    return this.wrap(b, b.upload(host), t.shape, t.dtype);
  }

  /** A handle holding exactly `t`'s elements, contiguous, on backend `b`. */
  private contiguousHandle(t: Tensor, b: Backend): unknown {
    const s = t.storage;
    if (s.backend !== b) return this.copyTo(t, b).storage.handle;
    if (!isContiguous(t)) {
      // Tensors are immutable, so the view can adopt its contiguous copy.
      const h = b.materialize(s.handle, t.dtype, t);
      const fresh = new Storage(b, h, t.dtype, t.size);
      this.memory.onAlloc(fresh);
      this.memory.swapStorage(t, fresh);
      return h;
    }
    if (t.offset === 0 && s.size === t.size) return s.handle;
    return b.subrange(s.handle, t.dtype, t.offset, t.size);
  }

  // ---------------------------------------------------------------- dispatch

  /** Run a primitive on the current backend, recording it on active tapes. */
  runOp<A>(op: OpDef<A>, inputs: readonly Tensor[], attrs: A): Tensor[] {
    for (let i = 0; i < inputs.length; i++) inputs[i]!.assertAlive(op.name);
    if (this.recorders.length && op !== readVariableOp && hasVariable(inputs)) inputs = this.readVariables(inputs);
    const outs = this.tracer ? this.tracer.run(op, inputs, attrs) : this.execute(op, inputs, attrs);
    if (this.recorders.length && !(outs.length > 0 && this.recordedEarly.has(outs[0]!))) this.notify(op, inputs, outs, attrs);
    return outs;
  }

  /** Outputs of ops a tracer already told the tapes about (`recordEarly`), so `runOp` does not tell them again. */
  private readonly recordedEarly = new WeakSet<Tensor>();

  /**
   * For a tracer that runs more ops on an op's outputs before returning them (jvp's tangent rules):
   * tell the tapes of the op now, before those ops, since a tape differentiates in reverse order of
   * recording. `runOp` then does not record it again; nested tracers record it once.
   */
  recordEarly(op: OpDef<any>, inputs: readonly Tensor[], outputs: readonly Tensor[], attrs: unknown): void {
    if (!this.recorders.length || outputs.length === 0 || this.recordedEarly.has(outputs[0]!)) return;
    this.notify(op, inputs, outputs, attrs);
    this.recordedEarly.add(outputs[0]!);
  }

  /**
   * Run a primitive's kernel (or view rule) on the current backend, bypassing the tracer and the
   * tapes: for a tracer that computes an op's value itself (forward-mode autodiff), so that the
   * tapes still hear of the op once, from `runOp`.
   */
  execute<A>(op: OpDef<A>, inputs: readonly Tensor[], attrs: A): Tensor[] {
    const specs = op.infer(inputs, attrs);
    const backend = this.backend;
    if (op.view) {
      const src = this.onBackend(inputs[0]!, backend);
      let layout = op.view(src, attrs);
      if (!layout) {
        this.contiguousHandle(src, backend);
        layout = op.view(src, attrs)!;
      }
      return [this.view(src.storage, layout)];
    }
    const kernel = this.kernelFor(backend, op);
    const args = new Array<KernelTensor>(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const t = inputs[i]!;
      args[i] = { data: this.contiguousHandle(t, backend), shape: t.shape, dtype: t.dtype };
    }
    const handles = kernel(args, attrs, specs);
    const outs = new Array<Tensor>(specs.length);
    for (let i = 0; i < specs.length; i++) outs[i] = this.wrap(backend, handles[i], specs[i]!.shape, specs[i]!.dtype);
    return outs;
  }

  /** While a tape records, a variable input is read through `readVariable`, so the tape saves the value it had. */
  private readVariables(inputs: readonly Tensor[]): Tensor[] {
    const read = new Array<Tensor>(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const t = inputs[i]!;
      read[i] = t.isVariable ? this.runOp(readVariableOp, [t], NO_ATTRS)[0]! : t;
    }
    return read;
  }

  /** The backend's kernel for `op`, or the reference kernel (with one warning). */
  kernelFor<A>(backend: Backend, op: OpDef<A>): Kernel<A, unknown> {
    const own = backend.kernels[op.name] as Kernel<A, unknown> | undefined;
    if (own) return own;
    if (op.portable && op.ref) return op.ref as Kernel<A, unknown>;
    return this.fallback(backend, op);
  }

  private fallback<A>(backend: Backend, op: OpDef<A>): Kernel<A, unknown> {
    const ref = op.ref;
    if (!ref) throw new ValueError(`${op.name}: no kernel on backend '${backend.name}' and no reference kernel`);
    if (!backend.readSync) throw new ValueError(`${op.name}: backend '${backend.name}' has no kernel for this op`);
    this.warnOnce(`fallback:${backend.name}:${op.name}`, `backend '${backend.name}' has no kernel for '${op.name}'; using the reference kernel`);
    return (inputs, attrs, outs) => {
      const host = inputs.map((k) => ({ data: backend.readSync!(k.data, k.dtype, sizeOf(k.shape)), shape: k.shape, dtype: k.dtype }));
      return ref(host, attrs, outs).map((a) => backend.upload(a));
    };
  }

  // ---------------------------------------------------------------- recorders

  addRecorder(r: Recorder): void {
    this.recorders.push(r);
  }

  /** Recorders (tapes) still active. */
  get activeRecorders(): number {
    return this.recorders.length;
  }

  removeRecorder(r: Recorder): void {
    this.recorders = this.recorders.filter((x) => x !== r);
  }

  private notify(op: OpDef<any>, inputs: readonly Tensor[], outputs: readonly Tensor[], attrs: unknown): void {
    const recorders = this.recorders;
    for (let i = 0; i < recorders.length; i++) recorders[i]!.record(op, inputs, outputs, attrs);
  }

  /** True while a GradientTape records. */
  isRecording(): boolean {
    return this.recorders.length > 0;
  }

  /** Run `fn` with every recorder paused. */
  /** Run `fn` inside a name scope (a layer's call). */
  withNameScope<T>(name: string, fn: () => T): T {
    this.nameScopes.push(name);
    try {
      return fn();
    } finally {
      this.nameScopes.pop();
    }
  }

  pauseRecording<T>(fn: () => T): T {
    const saved = this.recorders;
    this.recorders = [];
    try {
      return fn();
    } finally {
      this.recorders = saved;
    }
  }

  /** Run `fn` with recording paused (used while a tape computes its own gradient). */
  withoutRecorder<T>(r: Recorder, fn: () => T): T {
    const saved = this.recorders;
    this.recorders = saved.filter((x) => x !== r);
    try {
      return fn();
    } finally {
      // Tapes made inside `fn` keep recording; those removed inside it stay removed.
      const kept = this.recorders;
      const added = kept.filter((x) => !saved.includes(x));
      this.recorders = [...saved.filter((x) => x === r || kept.includes(x)), ...added];
    }
  }
}

const NO_ATTRS: Record<string, never> = Object.freeze({}) as Record<string, never>;

function hasVariable(inputs: readonly Tensor[]): boolean {
  for (let i = 0; i < inputs.length; i++) if (inputs[i]!.isVariable) return true;
  return false;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function collectTensors(x: unknown, out: Set<Tensor>, depth = 0): void {
  if (depth > 8 || x === null || typeof x !== 'object') return;
  if (x instanceof Tensor) {
    out.add(x);
    return;
  }
  if (Array.isArray(x)) for (const v of x) collectTensors(v, out, depth + 1);
  else if (Object.getPrototypeOf(x) === Object.prototype) for (const v of Object.values(x)) collectTensors(v, out, depth + 1);
}

export const engine = new Engine();

setTensorRuntime({
  readSync: (t) => engine.readSync(t),
  read: (t) => engine.read(t),
  dispose: (t) => engine.dispose(t),
});

export function describeShapes(ts: readonly { shape: readonly number[] }[]): string {
  return ts.map((t) => fmtShape(t.shape)).join(', ');
}
