// FarmHash's Fingerprint64 (the farmhashna 64-bit hash), the hash TensorFlow's
// StringToHashBucketFast takes modulo the bucket count: TensorFlow and TF.js agree on it, so the
// buckets here are theirs. Unsigned 64-bit arithmetic in BigInt, wrapped after each step.
const M = (1n << 64n) - 1n;
const K0 = 0xc3a5c85c97cb3127n;
const K1 = 0xb492b66fbe98f273n;
const K2 = 0x9ae16a3b2f90404fn;

const u = (x: bigint) => x & M;
const add = (...xs: bigint[]) => u(xs.reduce((a, b) => a + b, 0n));
const mul = (a: bigint, b: bigint) => u(a * b);
const rot = (x: bigint, r: number) => (r === 0 ? x : u((x >> BigInt(r)) | (x << BigInt(64 - r))));
const shiftMix = (x: bigint) => x ^ (x >> 47n);

function fetch64(b: Uint8Array, at: number): bigint {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[at + i]!);
  return v;
}

function fetch32(b: Uint8Array, at: number): bigint {
  return BigInt((b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0);
}

function hashLen16(x: bigint, y: bigint, m: bigint): bigint {
  let a = mul(x ^ y, m);
  a ^= a >> 47n;
  let b = mul(y ^ a, m);
  b ^= b >> 47n;
  return mul(b, m);
}

function hashLen0to16(s: Uint8Array): bigint {
  const len = s.length;
  if (len >= 8) {
    const m = add(K2, BigInt(len * 2));
    const a = add(fetch64(s, 0), K2);
    const b = fetch64(s, len - 8);
    const c = add(mul(rot(b, 37), m), a);
    const d = mul(add(rot(a, 25), b), m);
    return hashLen16(c, d, m);
  }
  if (len >= 4) {
    const m = add(K2, BigInt(len * 2));
    const a = fetch32(s, 0);
    return hashLen16(add(BigInt(len), a << 3n), fetch32(s, len - 4), m);
  }
  if (len > 0) {
    const y = BigInt(s[0]! + (s[len >> 1]! << 8));
    const z = BigInt(len + (s[len - 1]! << 2));
    return mul(shiftMix(mul(y, K2) ^ mul(z, K0)), K2);
  }
  return K2;
}

function hashLen17to32(s: Uint8Array): bigint {
  const len = s.length;
  const m = add(K2, BigInt(len * 2));
  const a = mul(fetch64(s, 0), K1);
  const b = fetch64(s, 8);
  const c = mul(fetch64(s, len - 8), m);
  const d = mul(fetch64(s, len - 16), K2);
  return hashLen16(add(rot(add(a, b), 43), rot(c, 30), d), add(a, rot(add(b, K2), 18), c), m);
}

function hashLen33to64(s: Uint8Array): bigint {
  const len = s.length;
  const m = add(K2, BigInt(len * 2));
  const a = mul(fetch64(s, 0), K2);
  const b = fetch64(s, 8);
  const c = mul(fetch64(s, len - 8), m);
  const d = mul(fetch64(s, len - 16), K2);
  const y = add(rot(add(a, b), 43), rot(c, 30), d);
  const z = hashLen16(y, add(a, rot(add(b, K2), 18), c), m);
  const e = mul(fetch64(s, 16), m);
  const f = fetch64(s, 24);
  const g = mul(add(y, fetch64(s, len - 32)), m);
  const h = mul(add(z, fetch64(s, len - 24)), m);
  return hashLen16(add(rot(add(e, f), 43), rot(g, 30), h), add(e, rot(add(f, a), 18), g), m);
}

/** FarmHash's weak 32-byte mix of the 8-byte words at `at` with two seeds. */
function weak32(s: Uint8Array, at: number, a0: bigint, b0: bigint): [bigint, bigint] {
  const w = fetch64(s, at);
  const x = fetch64(s, at + 8);
  const y = fetch64(s, at + 16);
  const z = fetch64(s, at + 24);
  let a = add(a0, w);
  let b = rot(add(b0, a, z), 21);
  const c = a;
  a = add(a, x, y);
  b = add(b, rot(a, 44));
  return [add(a, z), add(b, c)];
}

function hashLong(s: Uint8Array): bigint {
  const len = s.length;
  const seed = 81n;
  let x = seed;
  let y = add(mul(seed, K1), 113n);
  let z = mul(shiftMix(add(mul(y, K2), 113n)), K2);
  let v: [bigint, bigint] = [0n, 0n];
  let w: [bigint, bigint] = [0n, 0n];
  x = add(mul(x, K2), fetch64(s, 0));
  const end = Math.floor((len - 1) / 64) * 64;
  const last64 = end + ((len - 1) & 63) - 63;
  for (let at = 0; at !== end; at += 64) {
    x = mul(rot(add(x, y, v[0], fetch64(s, at + 8)), 37), K1);
    y = mul(rot(add(y, v[1], fetch64(s, at + 48)), 42), K1);
    x ^= w[1];
    y = add(y, v[0], fetch64(s, at + 40));
    z = mul(rot(add(z, w[0]), 33), K1);
    v = weak32(s, at, mul(v[1], K1), add(x, w[0]));
    w = weak32(s, at + 32, add(z, w[1]), add(y, fetch64(s, at + 16)));
    [z, x] = [x, z];
  }
  const m = add(K1, (z & 0xffn) << 1n);
  w[0] = add(w[0], BigInt((len - 1) & 63));
  v[0] = add(v[0], w[0]);
  w[0] = add(w[0], v[0]);
  x = mul(rot(add(x, y, v[0], fetch64(s, last64 + 8)), 37), m);
  y = mul(rot(add(y, v[1], fetch64(s, last64 + 48)), 42), m);
  x ^= mul(w[1], 9n);
  y = add(y, mul(v[0], 9n), fetch64(s, last64 + 40));
  z = mul(rot(add(z, w[0]), 33), m);
  v = weak32(s, last64, mul(v[1], m), add(x, w[0]));
  w = weak32(s, last64 + 32, add(z, w[1]), add(y, fetch64(s, last64 + 16)));
  [z, x] = [x, z];
  return hashLen16(add(hashLen16(v[0], w[0], m), mul(shiftMix(y), K0), z), add(hashLen16(v[1], w[1], m), x), m);
}

/** Fingerprint64 of `bytes`, an unsigned 64-bit BigInt. */
export function fingerprint64(bytes: Uint8Array): bigint {
  const len = bytes.length;
  if (len <= 16) return hashLen0to16(bytes);
  if (len <= 32) return hashLen17to32(bytes);
  if (len <= 64) return hashLen33to64(bytes);
  return hashLong(bytes);
}
