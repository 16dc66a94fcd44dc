import { describe, expect, it } from 'vitest';

import { NODE_STATES, applyNodeStates, stateClass } from '../widgets/dag/states';

function group(...classes: string[]): Element {
  const element = document.createElementNS('http://www.w3.org/2000/svg', 'g');
  element.classList.add('node', ...classes);
  return element;
}

describe('stateClass', () => {
  it('maps every known state to its class', () => {
    for (const state of NODE_STATES) {
      expect(stateClass(state)).toBe(`dhhera-state-${state}`);
    }
  });

  it('accepts Argo phase spelling', () => {
    expect(stateClass('Succeeded')).toBe('dhhera-state-succeeded');
    expect(stateClass(' Running ')).toBe('dhhera-state-running');
  });

  it('gives no class to unknown or empty states', () => {
    expect(stateClass('bogus')).toBeNull();
    expect(stateClass('')).toBeNull();
    expect(stateClass(undefined)).toBeNull();
    expect(stateClass('constructor')).toBeNull();
  });
});

describe('applyNodeStates', () => {
  it('replaces the previous state class and keeps other classes', () => {
    const a = group('dhhera-state-pending', 'dhhera-selected');
    const b = group('dhhera-state-running');
    const groups = new Map([
      ['a', a],
      ['b', b]
    ]);

    applyNodeStates(groups, { a: 'running' });

    expect(Array.from(a.classList)).toEqual(['node', 'dhhera-selected', 'dhhera-state-running']);
    expect(Array.from(b.classList)).toEqual(['node']);
  });

  it('ignores states of nodes that are not drawn and inherited keys', () => {
    const a = group();
    applyNodeStates(new Map([['toString', a]]), { ghost: 'failed' });
    expect(Array.from(a.classList)).toEqual(['node']);
  });
});
