import { describe, expect, it } from 'vitest';

import { initialProject, stateDbMemory } from '../sidebar/projectMemory';

describe('the project the sidebar opens on', () => {
  const names = ['dhhera', 'quickstart', 'demo'];
  const recent = { project: 'quickstart', at: '2026-01-01T10:00:00Z' };

  it('is the most recently active project when nothing was chosen, else the default', () => {
    expect(initialProject(names, 'dhhera', null, recent)).toBe('quickstart');
    expect(initialProject(names, 'dhhera', null, null)).toBe('dhhera');
  });

  it('is the remembered choice, unless a notebook was active in another project since', () => {
    const before = { project: 'demo', at: Date.parse('2026-01-01T09:00:00Z') };
    const after = { project: 'demo', at: Date.parse('2026-01-01T11:00:00Z') };
    expect(initialProject(names, 'dhhera', after, recent)).toBe('demo');
    expect(initialProject(names, 'dhhera', before, recent)).toBe('quickstart');
    expect(initialProject(names, 'dhhera', { project: 'gone', at: 0 }, null)).toBe('dhhera');
  });

  it('is kept in the state database and read back; a malformed entry is no choice', async () => {
    const data = new Map<string, unknown>();
    const state = {
      fetch: async (key: string) => data.get(key),
      save: async (key: string, value: unknown) => void data.set(key, value)
    };
    const memory = stateDbMemory(state as never);
    expect(await memory.load()).toBeNull();
    await memory.save({ project: 'demo', at: 5 });
    expect(await memory.load()).toEqual({ project: 'demo', at: 5 });
    data.set('dhhera-jupyter:sidebar', { project: 3 });
    expect(await memory.load()).toBeNull();
  });
});
