// A small line-chart writer for training curves: one SVG document with a panel per quantity.
export interface Series {
  label: string;
  values: number[];
  color: string;
}

export interface Panel {
  title: string;
  series: Series[];
}

const W = 420;
const H = 280;
const M = { left: 56, right: 16, top: 32, bottom: 40 };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (hi === lo) return [lo];
  const step = Math.pow(10, Math.floor(Math.log10((hi - lo) / count)));
  const err = ((hi - lo) / count) / step;
  const mult = err >= 7.5 ? 10 : err >= 3.5 ? 5 : err >= 1.5 ? 2 : 1;
  const s = step * mult;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / s) * s; t <= hi + s * 1e-9; t += s) ticks.push(Number(t.toPrecision(6)));
  return ticks;
}

function panelSvg(p: Panel, x0: number): string {
  const all = p.series.flatMap((s) => s.values).filter(Number.isFinite);
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
  if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const n = Math.max(2, ...p.series.map((s) => s.values.length));
  const px = (i: number) => x0 + M.left + (i / (n - 1)) * (W - M.left - M.right);
  const py = (v: number) => M.top + (1 - (v - lo) / (hi - lo)) * (H - M.top - M.bottom);
  const parts: string[] = [];
  parts.push(`<text x="${x0 + M.left}" y="20" font-size="14" font-weight="bold">${esc(p.title)}</text>`);
  parts.push(`<rect x="${x0 + M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#999"/>`);
  for (const t of niceTicks(lo, hi)) {
    parts.push(`<line x1="${x0 + M.left}" x2="${x0 + W - M.right}" y1="${py(t)}" y2="${py(t)}" stroke="#eee"/>`);
    parts.push(`<text x="${x0 + M.left - 6}" y="${py(t) + 4}" text-anchor="end" font-size="11">${t}</text>`);
  }
  for (let i = 0; i < n; i++) {
    parts.push(`<text x="${px(i)}" y="${H - M.bottom + 16}" text-anchor="middle" font-size="11">${i + 1}</text>`);
  }
  parts.push(`<text x="${x0 + (W + M.left - M.right) / 2}" y="${H - 6}" text-anchor="middle" font-size="12">epoch</text>`);
  p.series.forEach((s, k) => {
    const pts = s.values.map((v, i) => `${px(i).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    s.values.forEach((v, i) => parts.push(`<circle cx="${px(i).toFixed(1)}" cy="${py(v).toFixed(1)}" r="3" fill="${s.color}"/>`));
    // Legend in the top margin, right of the title, so it never covers a curve.
    const lx = x0 + W - M.right - 60 * (p.series.length - k);
    parts.push(`<line x1="${lx}" x2="${lx + 16}" y1="16" y2="16" stroke="${s.color}" stroke-width="2"/>`);
    parts.push(`<text x="${lx + 20}" y="20" font-size="11">${esc(s.label)}</text>`);
  });
  return parts.join('\n');
}

/** An SVG document with the panels side by side. */
export function plotPanels(panels: Panel[]): string {
  const width = W * panels.length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H}" viewBox="0 0 ${width} ${H}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...panels.map((p, i) => panelSvg(p, i * W)),
    '</svg>',
  ].join('\n');
}
