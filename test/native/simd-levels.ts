// The SIMD levels a test can run the native addon at on this CPU, and a TypeScript child process
// run at one of them (the addon picks its level once, at load, from NABLA_SIMD).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** Its best (backendInfo's simd) and every lower one NABLA_SIMD can choose (scalar everywhere), best first. */
export const simdLevelsFrom = (best: string): string[] =>
  best === 'avx512' ? ['avx512', 'avx2', 'scalar'] : best === 'avx2' ? ['avx2', 'scalar'] : best === 'scalar' ? ['scalar'] : [best, 'scalar'];

/** Run `child` (a .ts file, through tsx) with NABLA_SIMD=level; its last line of output as JSON, checked to name that level. */
export function runChildAtLevel<T extends { simd: string }>(child: URL, level: string): T {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(child)], { env: { ...process.env, NABLA_SIMD: level }, encoding: 'utf8', timeout: 120_000 });
  expect(r.signal, `the child was killed (${r.signal}): ${r.stderr}`).toBeNull();
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
  expect(out.simd).toBe(level);
  return out;
}
