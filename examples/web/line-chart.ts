// A line chart on a canvas: one series of points, redrawn whole on each add (a few hundred points).

export class LineChart {
  private readonly points: [number, number][] = [];

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly color: string,
    private readonly fixedRange?: [number, number],
  ) {}

  clear(): void {
    this.points.length = 0;
    this.draw();
  }

  add(x: number, y: number): void {
    if (!Number.isFinite(y)) return;
    this.points.push([x, y]);
    this.draw();
  }

  private draw(): void {
    const ctx = this.canvas.getContext('2d')!;
    const { width, height } = this.canvas;
    const pad = 30;
    ctx.clearRect(0, 0, width, height);
    ctx.strokeStyle = '#bbb';
    ctx.strokeRect(pad, 5, width - pad - 5, height - pad);
    if (this.points.length === 0) return;
    const xs = this.points.map((p) => p[0]);
    const ys = this.points.map((p) => p[1]);
    const [lo, hi] = this.fixedRange ?? [Math.min(0, ...ys), Math.max(...ys) || 1];
    const x0 = xs[0]!;
    const x1 = Math.max(xs[xs.length - 1]!, x0 + 1);
    const px = (x: number) => pad + ((x - x0) / (x1 - x0)) * (width - pad - 5);
    const py = (y: number) => 5 + (1 - (y - lo) / (hi - lo || 1)) * (height - pad);
    ctx.fillStyle = '#666';
    ctx.font = '11px sans-serif';
    ctx.fillText(hi.toFixed(2), 2, 14);
    ctx.fillText(lo.toFixed(2), 2, height - pad);
    ctx.fillText(`step ${x1}`, width - 60, height - 8);
    ctx.strokeStyle = this.color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    this.points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(px(x), py(y)) : ctx.lineTo(px(x), py(y))));
    ctx.stroke();
  }
}
