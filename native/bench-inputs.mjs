// Inputs for the addon's micro-benchmarks: n float32 values in [-0.5, 0.5) from a small LCG, so
// runs and builds see the same numbers without nabla's generator.
export function randomFloat32(n, seed) {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 4294967296 - 0.5;
  }
  return a;
}
