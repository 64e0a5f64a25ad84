// Shared WGSL: buffer declarations, the `meta` parameter block and scalar helpers whose edge cases
// (NaN, infinities, negative bases, integer division by zero) follow the reference kernels rather
// than what a GPU driver happens to do.
import { DTypeError } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { META_INTS, WORKGROUP } from './gpu-context.js';

export type WgslType = 'f32' | 'i32';

/** The error for float64 anywhere on this backend (the conformance harness matches its wording). */
export function float64Error(what: string): DTypeError {
  return new DTypeError(`${what}: float64 is not supported on the webgpu backend (WGSL has no 64-bit floats); cast to float32 or use another backend`);
}

/** Storage type of a dtype on the GPU: bool is kept as i32 0/1; float64 does not exist in WebGPU. */
export function wgslType(dtype: DType, op: string): WgslType {
  if (dtype === 'float32') return 'f32';
  if (dtype === 'int32' || dtype === 'bool') return 'i32';
  throw float64Error(op);
}

export interface Binding {
  readonly name: string;
  readonly type: WgslType;
  readonly access: 'read' | 'read_write';
}

const HELPERS = /* wgsl */ `
fn M(k: i32) -> i32 { return params[k / 4][k % 4]; }
// Private vars, not constants: WGSL refuses to constant-fold a NaN or an infinity.
var<private> NAN_BITS: u32 = 0x7fc00000u;
var<private> INF_BITS: u32 = 0x7f800000u;
fn nan() -> f32 { return bitcast<f32>(NAN_BITS); }
fn inf() -> f32 { return bitcast<f32>(INF_BITS); }
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn is_inf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn nonzero(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) != 0u; }
// Offset into a broadcast (or strided) operand of flat output index i: shape at meta[shapeAt..],
// the operand's strides at meta[strideAt..].
fn bcast(i: i32, rank: i32, shapeAt: i32, strideAt: i32) -> i32 {
  var rem = i;
  var off = 0;
  for (var d = rank - 1; d >= 0; d--) {
    let n = M(shapeAt + d);
    off += (rem % n) * M(strideAt + d);
    rem = rem / n;
  }
  return off;
}
fn f2i(x: f32) -> i32 {
  if (is_nan(x)) { return 0; }
  if (x >= 2147483648.0) { return 2147483647; }
  if (x <= -2147483648.0) { return -2147483647 - 1; }
  return i32(x);
}
fn log_(x: f32) -> f32 {
  if (is_nan(x) || x < 0.0) { return nan(); }
  if (x == 0.0) { return -inf(); }
  if (is_inf(x)) { return x; }
  return log(x);
}
fn sqrt_(x: f32) -> f32 {
  if (is_nan(x) || x < 0.0) { return nan(); }
  if (is_inf(x)) { return x; }
  return sqrt(x);
}
// sin and cos by reduction to [-pi/4, pi/4] (pi/2 split in three parts, so r stays exact) and
// short polynomials: WGSL only promises 2^-11 absolute error for the builtins (SwiftShader's sin(-2)
// is off by 5e-5), and the conformance suite holds every backend to float32 accuracy.
fn quadrant_(x: f32) -> vec2<f32> {
  let k = round(x * 0.636619772);
  let r = ((x - k * 1.5703125) - k * 4.837512969970703e-4) - k * 7.549789954891882e-8;
  return vec2<f32>(r, k);
}
fn sin_poly_(r: f32) -> f32 {
  let z = r * r;
  return r + r * z * (-1.6666654611e-1 + z * (8.3321608736e-3 + z * -1.9515295891e-4));
}
fn cos_poly_(r: f32) -> f32 {
  let z = r * r;
  return 1.0 - 0.5 * z + z * z * (4.166664568298827e-2 + z * (-1.388731625493765e-3 + z * 2.443315711809948e-5));
}
fn sin_(x: f32) -> f32 {
  if (is_nan(x) || is_inf(x)) { return nan(); }
  let rk = quadrant_(x);
  let q = i32(rk.y - 4.0 * floor(rk.y / 4.0));
  let s = sin_poly_(rk.x);
  let c = cos_poly_(rk.x);
  return select(select(select(-c, -s, q == 2), c, q == 1), s, q == 0);
}
fn cos_(x: f32) -> f32 {
  if (is_nan(x) || is_inf(x)) { return nan(); }
  let rk = quadrant_(x);
  let q = i32(rk.y - 4.0 * floor(rk.y / 4.0));
  let s = sin_poly_(rk.x);
  let c = cos_poly_(rk.x);
  return select(select(select(s, -c, q == 2), -s, q == 1), c, q == 0);
}
fn expm1_(x: f32) -> f32 {
  if (abs(x) < 1e-4) { return x + 0.5 * x * x; }
  return exp(x) - 1.0;
}
fn log1p_(x: f32) -> f32 {
  if (is_nan(x) || x < -1.0) { return nan(); }
  if (x == -1.0) { return -inf(); }
  if (is_inf(x)) { return x; }
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  return log(u) * x / (u - 1.0);
}
fn tanh_(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (abs(x) > 9.0) { return sign(x); }
  return tanh(x);
}
fn sigmoid_(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}
fn arc_(y: f32, x: f32) -> f32 {
  if (is_nan(x) || abs(x) > 1.0) { return nan(); }
  return y;
}
fn erf_(x: f32) -> f32 {
  // Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7), odd in x.
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let p = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign(x) * (1.0 - p * exp(-x * x));
}
fn pow_(a: f32, b: f32) -> f32 {
  if (a == 1.0 || b == 0.0) { return 1.0; }
  if (a == -1.0 && is_inf(b)) { return 1.0; }
  if (is_nan(a) || is_nan(b)) { return nan(); }
  let odd = floor(b) == b && floor(b * 0.5) != b * 0.5 && !is_inf(b);
  if (a == 0.0) {
    if (b > 0.0) { return select(0.0, a, odd); }
    return select(inf(), select(inf(), -inf(), bitcast<u32>(a) != 0u), odd);
  }
  if (is_inf(a)) {
    let mag = select(0.0, inf(), b > 0.0);
    return select(mag, -mag, a < 0.0 && odd);
  }
  let r = exp2(b * log2(abs(a)));
  if (a < 0.0) {
    if (floor(b) != b && !is_inf(b)) { return nan(); }
    if (odd) { return -r; }
  }
  return r;
}
fn atan2_(y: f32, x: f32) -> f32 {
  if (is_nan(y) || is_nan(x)) { return nan(); }
  if (y == 0.0 && x == 0.0) {
    // Signed zeros decide, as in C and JS: atan2(±0, +0) = ±0, atan2(±0, -0) = ±pi.
    let r = select(0.0, 3.141592653589793, (bitcast<u32>(x) & 0x80000000u) != 0u);
    return select(r, -r, (bitcast<u32>(y) & 0x80000000u) != 0u);
  }
  return atan2(y, x);
}
fn fmod_(a: f32, b: f32) -> f32 {
  if (is_nan(a) || is_nan(b) || is_inf(a) || b == 0.0) { return nan(); }
  if (is_inf(b)) {
    if (a == 0.0 || (a < 0.0) == (b < 0.0)) { return a; }
    return b;
  }
  var r = a - b * trunc(a / b);
  if (abs(r) >= abs(b)) { r = 0.0; }
  if (r != 0.0 && ((r < 0.0) != (b < 0.0))) { r = r + b; }
  return r;
}
fn fmax_(a: f32, b: f32) -> f32 { if (is_nan(a) || is_nan(b)) { return nan(); } return max(a, b); }
fn fmin_(a: f32, b: f32) -> f32 { if (is_nan(a) || is_nan(b)) { return nan(); } return min(a, b); }
fn idiv(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  var q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) { q = q - 1; }
  return q;
}
fn imod(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  var r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) { r = r + b; }
  return r;
}
fn ipow(a: i32, b: i32) -> i32 {
  if (b < 0) {
    if (a == 1) { return 1; }
    if (a == -1) { return select(-1, 1, b % 2 == 0); }
    return 0;
  }
  var r = 1;
  var base = a;
  var e = b;
  loop {
    if (e <= 0) { break; }
    if ((e & 1) == 1) { r = r * base; }
    base = base * base;
    e = e >> 1u;
  }
  return r;
}
`;

/** Declarations of `bindings` (in binding order), the meta block after them, and the helpers. */
export function header(bindings: readonly Binding[]): string {
  const decls = bindings.map((b, i) => `@group(0) @binding(${i}) var<storage, ${b.access}> ${b.name}: array<${b.type}>;`);
  decls.push(`@group(0) @binding(${bindings.length}) var<uniform> params: array<vec4<i32>, ${META_INTS / 4}>;`);
  return decls.join('\n') + '\n' + HELPERS;
}

/**
 * A kernel with one invocation per element: `body` sees `i` (the flat element index, below meta[0])
 * and the bindings.
 */
export function perElementKernel(bindings: readonly Binding[], body: string): string {
  return `${header(bindings)}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = i32(gid.x + gid.y * nwg.x * ${WORKGROUP}u);
  if (i >= M(0)) { return; }
${body}
}
`;
}

/** Workgroups for `n` invocations of a per-element kernel. */
export function groupsFor(n: number): number {
  return Math.ceil(n / WORKGROUP);
}
