// When the addon binary is missing, nabla imports, runs on js and prints one line saying why
// and how to fix it. NABLA_NATIVE_PATH points the loader at a file that does not exist.
import { afterAll, describe, expect, it, vi } from 'vitest';

const missing = '/nonexistent/nabla-test/nabla.node';
process.env.NABLA_NATIVE_PATH = missing;
const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
const nb = await import('../../src/index.js');

afterAll(() => warn.mockRestore());

describe('native backend missing', () => {
  it('runs on js and prints one line naming the reason and the fix', () => {
    expect(nb.getBackend()).toBe('js');
    expect(nb.add(nb.tensor([1, 2]), 3).arraySync()).toEqual([4, 5]);
    const lines = warn.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('native backend'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^nabla: native backend unavailable \(.*nabla-test\/nabla\.node not found; it was not built\); using js\. Run `npm rebuild` with a C\+\+ compiler to enable it\.$/);
  });

  it('backendInfo and setBackend say why, without printing again', async () => {
    const info = nb.backendInfo('native') as { available: boolean; reason?: string };
    expect(info.available).toBe(false);
    expect(info.reason).toContain(missing);
    expect(nb.backendInfo()).toMatchObject({ available: true, name: 'js' });
    await expect(nb.setBackend('native')).rejects.toThrow(/not available: .*not found/);
    const lines = warn.mock.calls.filter((c) => String(c[0]).includes('native backend'));
    expect(lines).toHaveLength(1);
  });
});
