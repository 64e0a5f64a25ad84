// examples/scan-rnn.ts in quick mode (the pattern of examples.test.ts): the RNN's loss must fall
// well below where it started, with one trace of the train step.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

it('scan-rnn runs and its loss goes down', { timeout: 600_000 }, async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/scan-rnn.ts', '--quick'], { cwd: root, maxBuffer: 1 << 24 });
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no RESULT line in the output:\n${stdout.slice(-2000)}`);
  const r = Object.fromEntries(line.slice(7).trim().split(/\s+/).map((kv) => kv.split('=') as [string, string]));
  expect(Number(r.last)).toBeLessThan(Number(r.first) / 10);
  expect(Number(r.last)).toBeLessThan(0.02);
  expect(Number(r.traces)).toBe(1);
});
