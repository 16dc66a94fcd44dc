/** The node states the widget knows; Python normalises Argo phases to these. */
export const NODE_STATES = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'skipped',
  'omitted',
  'stopped',
  'error'
] as const;

export type NodeState = (typeof NODE_STATES)[number];

const STATE_CLASS_PREFIX = 'dhhera-state-';

/** The CSS class for a state (`dhhera-state-<state>`), or `null` for an unknown state. */
export function stateClass(state: string | null | undefined): string | null {
  const normalised = (state ?? '').trim().toLowerCase();
  return (NODE_STATES as readonly string[]).includes(normalised) ? STATE_CLASS_PREFIX + normalised : null;
}

/**
 * Put each node group's state class in place: one `dhhera-state-*` class per node that has a
 * known state, none otherwise. Only classes change, so the layout stays as it is.
 */
export function applyNodeStates(groups: ReadonlyMap<string, Element>, states: Readonly<Record<string, string>>): void {
  for (const [nodeId, group] of groups) {
    const wanted = Object.prototype.hasOwnProperty.call(states, nodeId) ? stateClass(states[nodeId]) : null;
    for (const name of Array.from(group.classList)) {
      if (name.startsWith(STATE_CLASS_PREFIX) && name !== wanted) {
        group.classList.remove(name);
      }
    }
    if (wanted) {
      group.classList.add(wanted);
    }
  }
}
