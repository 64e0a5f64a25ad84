// Peak bytes of the values a compiled graph holds at once, read from its dump (`Jitted.graph`):
// a value lives from the node that makes it to the last node that reads it (results to the end).
const BYTES: Record<string, number> = { float64: 8, float32: 4, float16: 2, int32: 4, int64: 8, bool: 1, uint8: 1, int8: 1 };

export function peakLiveBytes(dump: string): number {
  const nodes: { outs: string[]; sizes: number[]; ins: string[] }[] = [];
  let results: string[] = [];
  for (const line of dump.split('\n')) {
    const ret = /^\s*return (.*)$/.exec(line);
    if (ret) results = ret[1]!.split(',').map((s) => s.trim());
    const m = /^\s*(%[\d, %]+) = \w+\((.*)\)(?: \{.*\})? : (.*)$/.exec(line);
    if (!m) continue;
    const outs = m[1]!.split(',').map((s) => s.trim());
    const sizes = [...m[3]!.matchAll(/(\w+)\[([\d, ]*)\]/g)].map(([, dtype, dims]) => (BYTES[dtype!] ?? 4) * dims!.split(',').filter((d) => d.trim()).reduce((a, d) => a * Number(d), 1));
    nodes.push({ outs, sizes, ins: [...m[2]!.matchAll(/%\d+/g)].map((x) => x[0]) });
  }
  const lastUse = new Map<string, number>();
  nodes.forEach((n, i) => n.ins.forEach((v) => lastUse.set(v, i)));
  for (const r of results) lastUse.set(r, nodes.length);
  const live = new Map<string, number>();
  let peak = 0;
  nodes.forEach((n, i) => {
    n.outs.forEach((o, k) => live.set(o, n.sizes[k]!));
    peak = Math.max(peak, [...live.values()].reduce((a, b) => a + b, 0));
    for (const [v] of live) if ((lastUse.get(v) ?? -1) <= i) live.delete(v);
  });
  return peak;
}
