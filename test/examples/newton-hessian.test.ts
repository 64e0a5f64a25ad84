// examples/newton-hessian.ts in quick mode: Newton with nb.hessian must reach Rosenbrock's minimum
// and cut the logistic loss, and nb.hvp must agree with H·v.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

describe('examples/newton-hessian (quick mode)', () => {
  it('runs and meets its bounds', { timeout: 600_000 }, async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/newton-hessian.ts', '--quick'], { cwd: root, maxBuffer: 1 << 24 });
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (!line) throw new Error(`no RESULT line in the output:\n${stdout.slice(-2000)}`);
    const r = Object.fromEntries(line.slice(7).trim().split(/\s+/).map((kv) => kv.split('=') as [string, string]));
    expect(Number(r.rosenbrock)).toBeLessThan(1e-10);
    expect(Number(r.logistic0)).toBeCloseTo(Math.LN2, 10);
    expect(Number(r.logistic)).toBeLessThan(0.2);
    expect(Number(r.accuracy)).toBeGreaterThan(0.9);
    expect(Number(r.hvp)).toBeLessThan(1e-10);
  });
});
