// ONNX's NCHW convolutions and pooling map onto nabla's channels-first kernels: an imported CNN's
// graph has no transpose on any conv or pool's image input or output (only the weights, which are
// stored in ONNX's [out, in, kh, kw] layout, are transposed).
import { describe, expect, it } from 'vitest';
import * as nb from '../../../src/index.js';
import { MANIFEST, fixtureBytes } from './onnx-fixtures.js';

interface GraphLine {
  id: string;
  op: string;
  args: string[];
  attrs: string;
}

function parse(dump: string): GraphLine[] {
  const lines: GraphLine[] = [];
  for (const m of dump.matchAll(/^\s*(%\d+) = (\w+)\(([^)]*)\)\s*(\{[^\n]*\})?\s*:/gm)) {
    lines.push({ id: m[1]!, op: m[2]!, args: m[3]!.split(',').map((a) => a.trim()), attrs: m[4] ?? '' });
  }
  return lines;
}

describe('onnx import keeps NCHW activations in channels-first kernels', () => {
  it('cnn.onnx: every conv and pool is channelsFirst, with no transpose on its image input or output', () => {
    const model = nb.onnx.fromBytes(fixtureBytes('cnn.onnx'));
    const shape = MANIFEST.find((f) => f.file === 'cnn.onnx')!.shapes[0]![0]!;
    const f = nb.jit((x: nb.Tensor) => model.predict(x) as nb.Tensor);
    const lines = parse(f.graph(nb.zeros(shape)));
    const byId = new Map(lines.map((l) => [l.id, l]));
    const windows = lines.filter((l) => /^(conv2d|conv2dBackpropInput|maxPool|avgPool)$/.test(l.op));
    expect(windows.map((l) => l.op).sort()).toEqual(['avgPool', 'avgPool', 'conv2d', 'conv2d', 'conv2d', 'conv2dBackpropInput', 'maxPool']);
    for (const w of windows) {
      expect(w.attrs, `${w.id} ${w.op}`).toMatch(/channelsFirst=true/);
      expect(byId.get(w.args[0]!)?.op, `${w.op} ${w.id}'s input`).not.toBe('transpose');
      const consumers = lines.filter((l) => l.args.includes(w.id));
      expect(consumers.map((l) => l.op), `${w.op} ${w.id}'s consumers`).not.toContain('transpose');
    }
    expect(lines.filter((l) => l.op === 'transpose').every((l) => l.args[0]!.startsWith('var('))).toBe(true);
  });

  it('volume.onnx: the 3-D Conv and ConvTransposes run as channelsFirst 2-D kernels, with no transpose of any activation', () => {
    const model = nb.onnx.fromBytes(fixtureBytes('volume.onnx'));
    const shape = MANIFEST.find((f) => f.file === 'volume.onnx')!.shapes[0]![0]!;
    const f = nb.jit((x: nb.Tensor) => model.predict(x) as nb.Tensor);
    const lines = parse(f.graph(nb.zeros(shape)));
    const windows = lines.filter((l) => /^(conv2d|conv2dBackpropInput|maxPool|avgPool)$/.test(l.op));
    // One 2-D convolution per 3-D one (the depth taps stacked as channels): a Conv and three ConvTransposes.
    expect(windows.filter((l) => l.op === 'conv2d').length).toBe(1);
    expect(windows.filter((l) => l.op === 'conv2dBackpropInput').length).toBe(3);
    for (const w of windows.filter((l) => l.op.startsWith('conv'))) expect(w.attrs, `${w.id} ${w.op}`).toMatch(/channelsFirst=true/);
    // The only transposes turn ONNX's weights into nabla's kernel layout.
    expect(lines.filter((l) => l.op === 'transpose').every((l) => l.args[0]!.startsWith('var('))).toBe(true);
  });
});
