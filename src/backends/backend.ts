import type { DType, TypedArray } from '../tensor/dtype.js';
import type { Shape } from '../tensor/shape.js';

/** A kernel's view of one input: a backend handle holding `size(shape)` contiguous elements. */
export interface KernelTensor<H = unknown> {
  readonly data: H;
  readonly shape: Shape;
  readonly dtype: DType;
}

/** Shape and dtype of an op's output, as the op's shape rule computed it. */
export interface OutSpec {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** A strided view of a buffer, in elements. */
export interface Layout {
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
}

/** A backend kernel: contiguous inputs in, one new handle per output. */
export type Kernel<A, H = unknown> = (inputs: readonly KernelTensor<H>[], attrs: A, outs: readonly OutSpec[]) => H[];

export interface BackendInfo {
  readonly name: string;
  readonly [key: string]: unknown;
}

/**
 * The narrow boundary between nabla and a compute device (DESIGN.md principle 5):
 * buffers in, buffers out, and a table of primitive kernels.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- handles are opaque outside a backend
export interface Backend<H = any> {
  readonly name: string;
  /** Take ownership of host values as a device buffer. */
  upload(values: TypedArray): H;
  /** Read `size` elements back to the host (always works). */
  read(h: H, dtype: DType, size: number): Promise<TypedArray>;
  /** Synchronous read, where the device allows it. */
  readSync?(h: H, dtype: DType, size: number): TypedArray;
  /** Contiguous copy of a strided view of `h`. */
  materialize(h: H, dtype: DType, layout: Layout): H;
  /** Zero-copy handle to `size` contiguous elements starting at `offset`, where the device allows it. */
  subrange(h: H, dtype: DType, offset: number, size: number): H;
  /** Release a buffer (a no-op for garbage-collected host memory). */
  free(h: H): void;
  /** Bytes held by a buffer, for `memory()`. */
  byteLength(h: H): number;
  /** Kernels this backend implements; missing ones fall back to the reference kernels. */
  readonly kernels: Readonly<Record<string, Kernel<never, H> | undefined>>;
  info(): BackendInfo;
  /** Optional: record a run of kernels once and replay it as one call (the jit's plans use it). */
  readonly capture?: KernelCapture<H>;
  /** Optional: the most tensors one fused elementwise kernel may read (unlimited when absent). */
  readonly maxFusedInputs?: number;
  /** Optional: the most tensors one fused elementwise kernel may write (one when absent). */
  readonly maxFusedOutputs?: number;
  /** Optional: weights packed once for the GEMM (the jit's inference graphs use it where present). */
  readonly prepack?: WeightPrepack;
}

/**
 * Whether a matmul or conv2d of these shapes would read its weight from a copy packed once into
 * the GEMM's layout (the `packGemmB` op and fusedLinear's `prepacked` input) rather than pack it
 * on every call: false where the backend's kernel would not pack it anyway (a few rows, a conv
 * algorithm that reads the filter in place).
 */
export interface WeightPrepack {
  /** `a`, `b`: the op's input shapes; `out`: its output's; attrs: the matmul's or conv2d's. */
  uses(op: 'matmul' | 'conv2d', a: readonly number[], b: readonly number[], out: readonly number[], dtype: DType, attrs: unknown): boolean;
  /**
   * Optional: whether a conv2d of these shapes would run Winograd from a pack of its transformed
   * filter (packGemmB with `winograd`) rather than from GEMM panels; never true where `uses` is.
   */
  winograd?(a: readonly number[], b: readonly number[], out: readonly number[], dtype: DType, attrs: unknown): boolean;
}

/**
 * A backend's way to turn a sequence of kernel calls into one call. The jit runs a span of steps
 * once between `begin` and `end`, then asks `compile` for a replay that takes the span's input
 * handles and returns its output handles (in the orders given).
 */
export interface KernelCapture<H = unknown> {
  /** Whether op `name`'s kernel does all its work in calls the recording sees. */
  canCapture(name: string): boolean;
  begin(): void;
  /**
   * Stop recording; null when something ran that a replay could not repeat, or when `failed` (a
   * recorded step threw: nothing will be compiled).
   */
  end(failed?: boolean): RecordedKernels | null;
  /**
   * A replay of `recorded` from these inputs to these outputs, or null if it cannot be built.
   * `donors[k]`, where given, names an input whose buffer output k may be written into (a
   * variable's old value, overwritten by its update); the replay says which it accepts.
   */
  compile(recorded: RecordedKernels, inputs: readonly H[], outputs: readonly H[], donors?: readonly number[]): CompiledKernels<H> | null;
}

/** What a backend recorded between `begin` and `end` (opaque to the jit). */
export interface RecordedKernels {
  readonly callCount: number;
}

export interface CompiledKernels<H = unknown> {
  /** Per output: whether it can be written into its donor input (see KernelCapture.compile). */
  readonly donatable: readonly boolean[];
  /**
   * Run the recorded calls on new inputs (same shapes and dtypes); returns the outputs. Outputs
   * with `donate[k]` (and donatable) are written into their donor input's buffer.
   */
  run(inputs: readonly H[], donate?: readonly boolean[]): H[];
  /** Optional: the thread cap its replays settled on (0: the pool's threads, 1: one), null while still measuring. */
  threadChoice?(): number | null;
}
