// Without an adapter, setBackend('webgpu') rejects and says why; probing never starts Dawn.
// Mesa is pointed at a display platform that does not exist, so Dawn finds no adapter.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('webgpu without an adapter', () => {
  it('setBackend rejects with the reason; backendInfo says it is unavailable; the previous backend stays', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/webgpu/fixtures/start-webgpu.ts'], {
      env: { ...process.env, EGL_PLATFORM: 'no-such-platform' },
      timeout: 60_000,
    });
    const line = stdout.split('\n').find((l) => l.startsWith('{'))!;
    const r = JSON.parse(line) as { started: boolean; before: { available: boolean; reason: string }; message: string; after: { available: boolean; reason: string }; current: string };
    // Before setBackend, a probe reports it unavailable without opening a device.
    expect(r.before.available).toBe(false);
    expect(r.before.reason).toMatch(/await nb\.setBackend\('webgpu'\)/);
    if (r.started) {
      // A machine with a hardware (Vulkan) adapter does not need Mesa's EGL.
      expect((r.after as unknown as { source: string }).source).toBe('dawn');
      return;
    }
    const why = /Dawn found no adapter|the optional dependency 'webgpu' \(Dawn for Node\) could not be loaded/;
    expect(r.message).toMatch(/^setBackend: backend 'webgpu' is not available: /);
    expect(r.message).toMatch(why);
    expect(r.after.available).toBe(false);
    expect(r.after.reason).toMatch(why);
    expect(['js', 'native']).toContain(r.current);
  });
});
