// Backend choice: setBackend / getBackend / backends / withBackend / backendInfo.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import { JsBackend } from '../../src/backends/js/js-backend.js';

engine.registerBackend({ name: 'test-broken', priority: -10, create: () => { throw new Error('no such device here'); } });
engine.registerBackend({ name: 'test-async', priority: -11, create: () => Promise.resolve(Object.assign(new JsBackend(), { name: 'test-async' })) });
engine.registerBackend({ name: 'test-async-broken', priority: -12, create: () => Promise.reject(new Error('adapter request failed')) });

describe('backends', () => {
  it('the js backend is registered and can be made current', async () => {
    expect(nb.backends()).toContain('js');
    await nb.setBackend('js');
    expect(nb.getBackend()).toBe('js');
    expect(nb.tensor([1]).backend).toBe('js');
  });

  it('backends() lists registered backends best first', () => {
    const names = nb.backends();
    // The addon, else the same kernels compiled to WebAssembly, else the reference kernels.
    expect(names.indexOf('native')).toBeLessThan(names.indexOf('wasm'));
    expect(names.indexOf('wasm')).toBeLessThan(names.indexOf('js'));
    expect(names.indexOf('js')).toBeLessThan(names.indexOf('test-broken'));
    expect(names.indexOf('test-broken')).toBeLessThan(names.indexOf('test-async'));
  });

  it('backendInfo describes the current or a named backend', () => {
    expect(nb.backendInfo()).toMatchObject({ available: true, name: 'js' });
    expect(nb.backendInfo('js')).toMatchObject({ available: true, name: 'js', threads: 1 });
  });

  it('backendInfo of a backend that failed to start says why', () => {
    expect(nb.backendInfo('test-broken')).toEqual({ name: 'test-broken', available: false, reason: 'no such device here' });
  });

  it('backendInfo of an unknown backend says it is unknown and lists the registered ones', () => {
    const info = nb.backendInfo('cuda-9000');
    expect(info.available).toBe(false);
    expect(info.reason).toMatch(/unknown backend; registered: (.*, )?js\b/);
  });

  it('setBackend of an unknown backend rejects with a ValueError naming it and the registered ones', async () => {
    await expect(nb.setBackend('nope')).rejects.toThrow(nb.ValueError);
    await expect(nb.setBackend('nope')).rejects.toThrow(/unknown backend 'nope'; registered: (.*, )?js\b/);
    expect(nb.getBackend()).toBe('js');
  });

  it('setBackend of a backend that cannot start rejects with the reason and keeps the current one', async () => {
    await expect(nb.setBackend('test-broken')).rejects.toThrow(/backend 'test-broken' is not available: no such device here/);
    await expect(nb.setBackend('test-async-broken')).rejects.toThrow(/not available: adapter request failed/);
    expect(nb.getBackend()).toBe('js');
    expect(nb.backendInfo('test-async-broken').reason).toBe('adapter request failed');
  });

  it('an asynchronous backend starts once and becomes current when setBackend resolves', async () => {
    const before = nb.backendInfo('test-async');
    expect(before.available).toBe(false);
    expect(before.reason).toMatch(/asynchronously/);
    await nb.setBackend('test-async');
    expect(nb.getBackend()).toBe('test-async');
    expect(nb.tensor([1, 2]).add(1).backend).toBe('test-async');
    await nb.setBackend('js');
    expect(nb.getBackend()).toBe('js');
  });

  it('withBackend runs fn on that backend, returns its value and restores the previous one, even on throw', async () => {
    await nb.setBackend('test-async');
    await nb.setBackend('js');
    const t = nb.withBackend('test-async', () => {
      expect(nb.getBackend()).toBe('test-async');
      return nb.tensor([1, 2]).mul(3);
    });
    expect(t.backend).toBe('test-async');
    expect(t.arraySync()).toEqual([3, 6]);
    expect(nb.getBackend()).toBe('js');
    expect(() =>
      nb.withBackend('test-async', () => {
        throw new Error('inside');
      }),
    ).toThrow('inside');
    expect(nb.getBackend()).toBe('js');
  });

  it('withBackend of an unknown or broken backend raises a ValueError saying why', () => {
    expect(() => nb.withBackend('nope', () => 1)).toThrow(/withBackend: backend 'nope' is not available: unknown backend/);
    expect(() => nb.withBackend('test-broken', () => 1)).toThrow(/no such device here/);
  });

  it('ops mixing tensors of two backends run on the current one', () => {
    const a = nb.withBackend('test-async', () => nb.tensor([1, 2]));
    const b = nb.tensor([10, 20]);
    const c = nb.add(a, b);
    expect(c.backend).toBe('js');
    expect(c.arraySync()).toEqual([11, 22]);
  });
});
