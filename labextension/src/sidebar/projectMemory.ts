/** Which project the sidebar opens on, and where the user's choice is remembered across reloads. */

import type { IStateDB } from '@jupyterlab/statedb';

/** The project chosen in the sidebar and when (ms since the epoch). */
export interface RememberedProject {
  project: string;
  at: number;
}

/** Where the choice is kept (JupyterLab's state database; tests pass their own). */
export interface ProjectMemory {
  load(): Promise<RememberedProject | null>;
  save(value: RememberedProject): Promise<void>;
}

/** The most recently active project the server reports (`GET /dhhera/projects` → `recent`). */
export interface RecentProject {
  project: string;
  at: string;
}

/**
 * The project to open on: the one chosen last, unless a notebook has been active in another project since
 * that choice (its newest run is newer), then that one; with no choice remembered, the most recently active
 * project, else the backend's default. A remembered project that no longer exists is skipped.
 */
export function initialProject(
  names: readonly string[],
  fallback: string,
  remembered: RememberedProject | null,
  recent: RecentProject | null
): string {
  const recentAt = recent ? Date.parse(recent.at) : NaN;
  const recentOk = recent !== null && names.includes(recent.project);
  if (remembered && names.includes(remembered.project)) {
    if (recentOk && Number.isFinite(recentAt) && recentAt > remembered.at) {
      return recent.project;
    }
    return remembered.project;
  }
  return recentOk ? recent.project : fallback;
}

const KEY = 'dhhera-jupyter:sidebar';

function isRemembered(value: unknown): value is RememberedProject {
  const v = value as Partial<RememberedProject> | null;
  return Boolean(v && typeof v.project === 'string' && v.project && typeof v.at === 'number');
}

/** The choice kept in JupyterLab's state database (saved with the workspace, so it survives reloads). */
export function stateDbMemory(state: IStateDB): ProjectMemory {
  return {
    async load() {
      try {
        const value = await state.fetch(KEY);
        return isRemembered(value) ? { project: value.project, at: value.at } : null;
      } catch {
        return null; // an unreadable state is no choice
      }
    },
    async save(value) {
      await state.save(KEY, { project: value.project, at: value.at });
    }
  };
}

/** A memory that lives as long as the page (used when JupyterLab offers no state database). */
export function pageMemory(): ProjectMemory {
  let kept: RememberedProject | null = null;
  return {
    async load() {
      return kept;
    },
    async save(value) {
      kept = { ...value };
    }
  };
}
