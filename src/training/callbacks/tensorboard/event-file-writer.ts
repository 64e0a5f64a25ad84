import { ensureParentDir, nodeFs } from '../node-fs.js';
import { encodeEvent, encodeGraphDef, type GraphDefProto, type HistogramProto, type SummaryValue } from './event-proto.js';
import { frameRecord } from './record-framing.js';

/**
 * One TensorBoard event file in `dir` (`events.out.tfevents.<seconds>.<host>.<pid>.v2`): records
 * are buffered and appended on `flush`, so per-batch scalars cost no file write each.
 */
export class EventFileWriter {
  private pending: Uint8Array[] = [];
  private path: string | null = null;

  constructor(readonly dir: string) {}

  scalar(tag: string, value: number, step: number): void {
    this.add({ tag, simpleValue: value }, step);
  }

  histogram(tag: string, histo: HistogramProto, step: number): void {
    this.add({ tag, histo }, step);
  }

  /** The graph TensorBoard's graph dashboard draws. */
  graph(graphDef: GraphDefProto): void {
    this.pending.push(frameRecord(encodeEvent({ wallTime: Date.now() / 1000, graphDef: encodeGraphDef(graphDef) })));
  }

  private add(value: SummaryValue, step: number): void {
    this.pending.push(frameRecord(encodeEvent({ wallTime: Date.now() / 1000, step, summary: { value: [value] } })));
  }

  async flush(): Promise<void> {
    const f = await nodeFs('TensorBoard');
    if (this.path === null) {
      const { hostname } = await import('node:os');
      const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
      this.path = `${this.dir}/events.out.tfevents.${Math.floor(Date.now() / 1000)}.${hostname()}.${pid}.v2`;
      await ensureParentDir(f, this.path);
      await f.writeFile(this.path, frameRecord(encodeEvent({ wallTime: Date.now() / 1000, fileVersion: 'brain.Event:2' })));
    }
    if (this.pending.length === 0) return;
    const chunks = this.pending;
    this.pending = [];
    await f.appendFile(this.path, concat(chunks));
  }

  /** The file written so far (null before the first flush). */
  get file(): string | null {
    return this.path;
  }
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
