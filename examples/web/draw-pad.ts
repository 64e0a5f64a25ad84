// A canvas to draw a digit on with the mouse (or a finger), read as MNIST prepared its digits: the
// strokes' bounding box scaled into 20x20 pixels, then moved so that the ink's centre of mass is
// the centre of a 28x28 image; values in [0, 1].

export class DrawPad {
  private drawing = false;
  private last: [number, number] | null = null;
  private inked = false;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onStroke: () => void,
  ) {
    canvas.addEventListener('pointerdown', (e) => this.start(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    for (const end of ['pointerup', 'pointerleave']) canvas.addEventListener(end, () => this.end());
    this.clear();
  }

  get isEmpty(): boolean {
    return !this.inked;
  }

  clear(): void {
    const ctx = this.canvas.getContext('2d')!;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.inked = false;
  }

  /** 784 values in [0, 1], row by row. */
  pixels(): Float32Array {
    const box = this.inkBox();
    const scaled = grid28();
    if (box) {
      const scale = 20 / Math.max(box.w, box.h);
      const w = box.w * scale;
      const h = box.h * scale;
      scaled.ctx.imageSmoothingQuality = 'high';
      scaled.ctx.drawImage(this.canvas, box.x, box.y, box.w, box.h, (28 - w) / 2, (28 - h) / 2, w, h);
    }
    const [cx, cy] = centreOfMass(scaled.ctx.getImageData(0, 0, 28, 28).data);
    const centred = grid28();
    centred.ctx.drawImage(scaled.canvas, Math.round(13.5 - cx), Math.round(13.5 - cy));
    const rgba = centred.ctx.getImageData(0, 0, 28, 28).data;
    return Float32Array.from({ length: 784 }, (_, i) => rgba[4 * i]! / 255);
  }

  private inkBox(): { x: number; y: number; w: number; h: number } | null {
    const { width, height } = this.canvas;
    const data = this.canvas.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, width, height).data;
    let x0 = width;
    let y0 = height;
    let x1 = -1;
    let y1 = -1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (data[4 * (y * width + x)]! > 32) {
          x0 = Math.min(x0, x);
          x1 = Math.max(x1, x);
          y0 = Math.min(y0, y);
          y1 = Math.max(y1, y);
        }
      }
    }
    return x1 < 0 ? null : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
  }

  private point(e: PointerEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * this.canvas.width) / r.width, ((e.clientY - r.top) * this.canvas.height) / r.height];
  }

  private start(e: PointerEvent): void {
    this.drawing = true;
    this.last = this.point(e);
    this.line(this.last, this.last);
  }

  private move(e: PointerEvent): void {
    if (!this.drawing) return;
    const p = this.point(e);
    this.line(this.last!, p);
    this.last = p;
  }

  private end(): void {
    if (!this.drawing) return;
    this.drawing = false;
    this.onStroke();
  }

  private line(from: [number, number], to: [number, number]): void {
    const ctx = this.canvas.getContext('2d')!;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 22;
    ctx.lineCap = 'round';
    ctx.beginPath();
    ctx.moveTo(...from);
    ctx.lineTo(...to);
    ctx.stroke();
    this.inked = true;
  }
}

function grid28(): { canvas: HTMLCanvasElement; ctx: CanvasRenderingContext2D } {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 28;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, 28, 28);
  return { canvas, ctx };
}

/** The ink's centre of mass in a 28x28 RGBA image (the middle when there is no ink). */
function centreOfMass(rgba: Uint8ClampedArray): [number, number] {
  let mass = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < 784; i++) {
    const v = rgba[4 * i]!;
    mass += v;
    sx += v * (i % 28);
    sy += v * Math.floor(i / 28);
  }
  return mass === 0 ? [13.5, 13.5] : [sx / mass, sy / mass];
}
