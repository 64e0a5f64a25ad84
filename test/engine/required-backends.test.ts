// The required-backends check (test/setup/required-backends.ts, vitest's globalSetup): which
// backends a run must have, and that a missing one fails with a message naming it and why.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { requiredBackends } from '../setup/required-backends.js';

const SETUP = fileURLToPath(new URL('../setup/required-backends.ts', import.meta.url));
const withCompiler = () => true;
const withoutCompiler = () => false;

describe('requiredBackends', () => {
  it('NABLA_REQUIRE_BACKENDS lists them (spaces and repeats ignored); set but empty means none, even under CI', () => {
    expect(requiredBackends({ NABLA_REQUIRE_BACKENDS: 'native, webgpu,native' }, withoutCompiler)).toEqual(['native', 'webgpu']);
    expect(requiredBackends({ NABLA_REQUIRE_BACKENDS: '', CI: 'true' }, withCompiler)).toEqual([]);
  });

  it('an unknown name is an error naming it and the known ones', () => {
    expect(() => requiredBackends({ NABLA_REQUIRE_BACKENDS: 'native,cuda' }, withCompiler)).toThrow('NABLA_REQUIRE_BACKENDS names unknown backends: cuda (known: native, wasm, js, webgpu)');
  });

  it('under CI native is required where a C++ compiler is and NABLA_SKIP_NATIVE is not 1', () => {
    expect(requiredBackends({ CI: 'true' }, withCompiler)).toEqual(['native']);
    expect(requiredBackends({ CI: '1' }, withCompiler)).toEqual(['native']);
    expect(requiredBackends({ CI: 'true' }, withoutCompiler)).toEqual([]);
    expect(requiredBackends({ CI: 'true', NABLA_SKIP_NATIVE: '1' }, withCompiler)).toEqual([]);
    expect(requiredBackends({ CI: 'false' }, withCompiler)).toEqual([]);
    expect(requiredBackends({}, withCompiler)).toEqual([]);
  });
});

/** Run the globalSetup in a child with these variables. */
function runSetup(env: Record<string, string>) {
  const script = `import(${JSON.stringify(SETUP)}).then((m) => m.default())`;
  return spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
}

describe('the run-wide check', () => {
  it('a required native backend that is not there fails, naming it and why', () => {
    const r = runSetup({ NABLA_REQUIRE_BACKENDS: 'native', NABLA_NATIVE_PATH: '/nonexistent/nabla.node' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('required backend missing (NABLA_REQUIRE_BACKENDS=native):\n  native: /nonexistent/nabla.node not found; it was not built');
  });

  it.runIf(nb.backendInfo('native').available)('passes when the required backends are there', () => {
    const r = runSetup({ NABLA_REQUIRE_BACKENDS: 'native,js' });
    expect(r.status, r.stderr).toBe(0);
  });
});
