// Spans: runs of consecutive kernel steps that a capturing backend (native) records on a plan's
// first run and then replays as one backend call. Cutting the steps into spans, choosing which
// variable buffers may take their updates in place, recording and replaying live here; the
// plan (executor.ts) owns the steps and the buffers.
import type { Backend, CompiledKernels } from '../backends/backend.js';
import type { Variable } from '../autograd/variable.js';

/** What span planning needs to know of a step. */
export interface SpanStep {
  readonly argSlots: readonly number[];
  readonly outSlots: readonly number[];
  readonly frees: readonly number[];
  /** Whether the backend can record this step's kernel into a replay (see KernelCapture). */
  readonly capturable: boolean;
}

/** A variable whose update may be written into its own buffer; `slot` is the variable's root slot. */
export interface Donor {
  readonly variable: Variable;
  readonly slot: number;
}

/**
 * Consecutive steps the backend records on the first run and then replays as one call. The
 * replay reads the span's input slots and returns its output slots (those read after the span
 * or kept as results); everything else lives inside the backend.
 */
export interface Span {
  readonly start: number;
  readonly end: number;
  readonly inputSlots: readonly number[];
  readonly outputSlots: readonly number[];
  readonly frees: readonly number[];
  /** Per output slot: the variable (and its root slot) whose buffer may take it in place, if any. */
  readonly donors: readonly (Donor | undefined)[];
  recorded: boolean;
  replay: CompiledKernels | null;
}

/**
 * Cut the steps into maximal runs of capturable steps (two or more) and single other steps.
 * `keep`: slots that must come out of any span that writes them (the graph's results);
 * `donorFor(slot, spanInputs, readLater)`: the variable that may take output `slot` in place.
 */
export function cutSpans(
  steps: readonly SpanStep[],
  keep: ReadonlySet<number>,
  donorFor: (slot: number, spanInputs: Set<number>, readLater: Set<number>) => Donor | undefined,
): Span[] {
  const spans: Span[] = [];
  let i = 0;
  while (i < steps.length) {
    let end = i + 1;
    if (steps[i]!.capturable) while (end < steps.length && steps[end]!.capturable) end++;
    if (end - i < 2) {
      spans.push({ start: i, end: i + 1, inputSlots: [], outputSlots: [], frees: steps[i]!.frees, donors: [], recorded: true, replay: null });
      i++;
      continue;
    }
    const inputs = new Set<number>();
    const written = new Set<number>();
    for (let k = i; k < end; k++) {
      for (const s of steps[k]!.argSlots) if (!written.has(s)) inputs.add(s);
      for (const s of steps[k]!.outSlots) written.add(s);
    }
    const readLater = new Set<number>();
    for (let k = end; k < steps.length; k++) for (const s of steps[k]!.argSlots) readLater.add(s);
    const outputs = [...written].filter((s) => readLater.has(s) || keep.has(s));
    const frees = steps.slice(i, end).flatMap((st) => st.frees);
    const donors = outputs.map((s) => donorFor(s, inputs, readLater));
    spans.push({ start: i, end, inputSlots: [...inputs], outputSlots: outputs, frees, donors, recorded: false, replay: null });
    i = end;
  }
  return spans;
}

/** First run of a span: run its steps (`runSteps`) while the backend records them, then build the replay. */
export function recordSpan(span: Span, backend: Backend, buffers: unknown[], runSteps: () => void): void {
  const capture = backend.capture!;
  const inputs = span.inputSlots.map((s) => buffers[s]);
  span.recorded = true;
  capture.begin();
  let recorded: ReturnType<typeof capture.end> = null;
  let failed = true;
  try {
    runSteps();
    failed = false;
  } finally {
    recorded = capture.end(failed);
  }
  if (!recorded) return;
  const donors = span.donors.map((d) => (d ? span.inputSlots.indexOf(d.slot) : -1));
  span.replay = capture.compile(recorded, inputs, span.outputSlots.map((s) => buffers[s]), donors);
}

/**
 * Replay a recorded span. A variable's update is written into the variable's own buffer when
 * nothing else can see that buffer: no other live tensor shares the storage, and the plan was
 * handed the storage itself (not a copy). Such variables are added to `inPlace`.
 */
export function replaySpan(span: Span, backend: Backend, buffers: unknown[], inPlace: Set<Variable>): void {
  const replay = span.replay!;
  let donate: boolean[] | undefined;
  // Plain loops, no closures: run once per replayed call.
  const donors = span.donors;
  for (let k = 0; k < donors.length; k++) {
    const d = donors[k];
    if (!d || !replay.donatable[k]) continue;
    const s = d.variable.storage;
    if (s.refs !== 1 || s.released || buffers[d.slot] !== s.handle) continue;
    (donate ??= new Array<boolean>(donors.length).fill(false))[k] = true;
    inPlace.add(d.variable);
  }
  const inputSlots = span.inputSlots;
  const current = new Array<unknown>(inputSlots.length);
  for (let k = 0; k < inputSlots.length; k++) current[k] = buffers[inputSlots[k]!];
  const outs = replay.run(current, donate);
  for (const slot of span.frees) {
    // A plan may hand an input back as one of its outputs (written over in place, or passed
    // through): that array lives on in the output's slot.
    const h = buffers[slot];
    if (!outs.includes(h)) backend.free(h);
    buffers[slot] = undefined;
  }
  const outputSlots = span.outputSlots;
  for (let k = 0; k < outputSlots.length; k++) buffers[outputSlots[k]!] = outs[k];
}
