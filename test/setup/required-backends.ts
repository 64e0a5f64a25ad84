// vitest globalSetup: fails the run before any test when a backend that must be there is not.
// Without it a failed addon build turns the native-vs-js comparisons into "not built" passes and
// the native suites into skips, and the run stays green.
//
// Which backends are required:
// - NABLA_REQUIRE_BACKENDS, when set: a comma-separated list (native, wasm, js, webgpu); set but empty
//   means none.
// - otherwise, under CI (CI=true or 1): native, where it can be built: NABLA_SKIP_NATIVE is not 1
//   and a C++ compiler is there (CXX, or c++/g++/clang++ on the PATH).
// - otherwise none.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const KNOWN_BACKENDS = ['native', 'wasm', 'js', 'webgpu'] as const;

/** A C++ compiler node-gyp would use: CXX, or c++, g++ or clang++ on the PATH. */
export function hasCompiler(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.CXX) return true;
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  return ['c++', 'g++', 'clang++'].some((cc) => dirs.some((d) => existsSync(join(d, cc))));
}

/** The backends this run must have (see the top of this file). */
export function requiredBackends(env: NodeJS.ProcessEnv = process.env, compilerFound: () => boolean = () => hasCompiler(env)): string[] {
  const listed = env.NABLA_REQUIRE_BACKENDS;
  if (listed !== undefined) {
    const names = listed.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = names.filter((n) => !(KNOWN_BACKENDS as readonly string[]).includes(n));
    if (unknown.length) throw new Error(`NABLA_REQUIRE_BACKENDS names unknown backends: ${unknown.join(', ')} (known: ${KNOWN_BACKENDS.join(', ')})`);
    return [...new Set(names)];
  }
  const ci = env.CI === 'true' || env.CI === '1';
  return ci && env.NABLA_SKIP_NATIVE !== '1' && compilerFound() ? ['native'] : [];
}

/** Why each required backend cannot start, by name (empty when all are there). */
export async function missingBackends(names: readonly string[]): Promise<Map<string, string>> {
  const missing = new Map<string, string>();
  if (names.length === 0) return missing;
  // Loaded only when something is required, so a plain run starts no backend here.
  const nb = await import('../../src/index.js');
  for (const name of names) {
    if (name === 'webgpu') {
      const before = nb.getBackend();
      try {
        await nb.setBackend('webgpu');
        await nb.setBackend(before);
      } catch (e) {
        missing.set(name, (e as Error).message);
      }
      continue;
    }
    const info = nb.backendInfo(name);
    if (!info.available) missing.set(name, String((info as { reason?: string }).reason));
  }
  return missing;
}

export default async function setup(): Promise<void> {
  const required = requiredBackends();
  const missing = await missingBackends(required);
  if (missing.size === 0) return;
  const why = process.env.NABLA_REQUIRE_BACKENDS !== undefined ? `NABLA_REQUIRE_BACKENDS=${process.env.NABLA_REQUIRE_BACKENDS}` : 'CI is set and a C++ compiler is here';
  const lines = [...missing].map(([name, reason]) => `  ${name}: ${reason}`);
  throw new Error(`required backend${missing.size > 1 ? 's' : ''} missing (${why}):\n${lines.join('\n')}\nBuild it (npm run build:native for native) or change NABLA_REQUIRE_BACKENDS.`);
}
