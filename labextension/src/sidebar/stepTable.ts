import { button, el, placeChildren, setText } from './dom';
import { badgeClass, durationText } from './format';
import { outcomeOf, type Outcome } from './progress';
import type { StepRow } from './types';

/** Rows per page: a 1000-step run draws this many rows, never a thousand. */
export const PAGE_SIZE = 25;

/** Which steps the table lists. */
export type StepFilter = 'all' | Outcome;

const FILTERS: [StepFilter, string][] = [
  ['all', 'All steps'],
  ['running', 'Running'],
  ['failed', 'Failed'],
  ['stopped', 'Stopped'],
  ['omitted', 'Omitted'],
  ['pending', 'Pending'],
  ['succeeded', 'Succeeded']
];

/** The steps a filter keeps, in the run's order. */
export function filterSteps(steps: readonly StepRow[], filter: StepFilter): StepRow[] {
  return filter === 'all' ? steps.slice() : steps.filter(step => outcomeOf(step.state) === filter);
}

/** The page (0-based) that holds `stepId`, or null when the filtered list does not. */
export function pageOf(steps: readonly StepRow[], stepId: string): number | null {
  const index = steps.findIndex(step => step.id === stepId);
  return index < 0 ? null : Math.floor(index / PAGE_SIZE);
}

/** One row: state badge, the step's name, its duration. A button: click shows the step's details and logs. */
class StepItem {
  readonly node = el('li', 'dhhera-StepTable-row');

  constructor(
    readonly id: string,
    onSelect: (id: string) => void
  ) {
    this.node.dataset.stepId = id;
    this.button = button('dhhera-StepTable-button', '', '', () => onSelect(this.id));
    this.button.append(this.badge, this.name, this.duration);
    this.node.append(this.button);
  }

  /** Patch the row; only what changed touches the DOM. */
  update(step: StepRow, selected: boolean, now: number): void {
    this.step = step;
    const badge = badgeClass(step.state);
    if (this.badge.className !== badge) {
      this.badge.className = badge;
    }
    setText(this.badge, step.state);
    const label = step.label || step.step;
    setText(this.name, label);
    const items = step.items ? ` (${step.items_done}/${step.items})` : '';
    const name = `Step ${label}${items}: ${step.state}`;
    if (this.button.title !== name) {
      this.button.title = name;
      this.button.setAttribute('aria-label', name);
    }
    this.button.setAttribute('aria-pressed', String(selected));
    this.node.classList.toggle('dhhera-mod-selected', selected);
    this.tick(now);
  }

  /** Refresh the duration (a running step's ticks). */
  tick(now: number): void {
    setText(this.duration, this.step ? durationText(this.step.start, this.step.end, now) : '');
  }

  get running(): boolean {
    return this.step !== null && this.step.end === null && this.step.start !== null;
  }

  private step: StepRow | null = null;
  private readonly button: HTMLButtonElement;
  private readonly badge = el('span', 'dhhera-badge');
  private readonly name = el('span', 'dhhera-StepTable-name');
  private readonly duration = el('span', 'dhhera-StepTable-duration');
}

/**
 * The steps of the selected run as a paged list with a state filter. Only the rows of the page shown
 * exist in the DOM; a poll patches them in place (keyed by step id), and the clock ticks only running rows.
 */
export class StepTable {
  readonly node = el('div', 'dhhera-StepTable');

  constructor(private readonly onSelect: (stepId: string) => void) {
    this.node.setAttribute('aria-label', 'Steps of the run');
    const bar = el('div', 'dhhera-StepTable-bar');
    this.filterSelect.className = 'dhhera-StepTable-filter';
    this.filterSelect.setAttribute('aria-label', 'Show steps');
    for (const [value, label] of FILTERS) {
      const option = document.createElement('option');
      option.value = value;
      option.textContent = label;
      this.filterSelect.append(option);
    }
    this.filterSelect.addEventListener('change', () => {
      this.filter = this.filterSelect.value as StepFilter;
      this.page = 0;
      this.render();
    });
    this.prev = button('dhhera-Button dhhera-StepTable-prev', '‹', 'Previous page of steps', () => this.turn(-1));
    this.next = button('dhhera-Button dhhera-StepTable-next', '›', 'Next page of steps', () => this.turn(1));
    bar.append(this.filterSelect, this.pageLabel, this.prev, this.next);
    this.node.append(bar, this.list, this.empty);
  }

  /** Show these steps (a poll result), `selected` highlighted. */
  update(steps: readonly StepRow[], selected: string, now: number): void {
    this.steps = steps;
    this.selected = selected;
    this.now = now;
    this.render();
  }

  /** Show the page holding `stepId` (a node clicked in the DAG), switching to "all" if the filter hides it. */
  reveal(stepId: string): void {
    let page = pageOf(filterSteps(this.steps, this.filter), stepId);
    if (page === null && this.filter !== 'all') {
      this.filter = 'all';
      this.filterSelect.value = 'all';
      page = pageOf(this.steps, stepId);
    }
    if (page !== null) {
      this.page = page;
    }
    this.selected = stepId;
    this.render();
  }

  /** Refresh the durations of the running rows shown. */
  tick(now: number): void {
    this.now = now;
    for (const item of this.items.values()) {
      if (item.running) {
        item.tick(now);
      }
    }
  }

  /** Rows in the DOM (for tests and benches). */
  get rowCount(): number {
    return this.list.children.length;
  }

  private turn(delta: number): void {
    this.page += delta;
    this.render();
  }

  private render(): void {
    const shown = filterSteps(this.steps, this.filter);
    const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
    this.page = Math.min(Math.max(0, this.page), pages - 1);
    const first = this.page * PAGE_SIZE;
    const slice = shown.slice(first, first + PAGE_SIZE);
    const items = slice.map(step => {
      let item = this.items.get(step.id);
      if (!item) {
        item = new StepItem(step.id, this.onSelect);
        this.items.set(step.id, item);
      }
      item.update(step, step.id === this.selected, this.now);
      return item;
    });
    const keep = new Set(slice.map(step => step.id));
    for (const id of Array.from(this.items.keys())) {
      if (!keep.has(id)) {
        this.items.delete(id); // rows off the page are dropped, so the table holds one page whatever the run's size
      }
    }
    placeChildren(
      this.list,
      items.map(item => item.node)
    );
    setText(this.pageLabel, shown.length === 0 ? '' : `${first + 1}–${first + slice.length} of ${shown.length}`);
    this.prev.disabled = this.page === 0;
    this.next.disabled = this.page >= pages - 1;
    this.prev.hidden = this.next.hidden = pages <= 1;
    this.empty.hidden = shown.length > 0;
    setText(this.empty, this.steps.length === 0 ? 'No steps reported yet.' : 'No step in this state.');
  }

  private steps: readonly StepRow[] = [];
  private selected = '';
  private now = 0;
  private filter: StepFilter = 'all';
  private page = 0;
  private readonly items = new Map<string, StepItem>();
  private readonly filterSelect = document.createElement('select');
  private readonly pageLabel = el('span', 'dhhera-StepTable-page');
  private readonly prev: HTMLButtonElement;
  private readonly next: HTMLButtonElement;
  private readonly list = el('ul', 'dhhera-StepTable-list');
  private readonly empty = el('p', 'dhhera-StepTable-empty');
}
