import { button, el, placeChildren, setText } from './dom';
import { badgeClass, durationText, formatStart, shortId } from './format';
import type { RunRow, WorkflowSummary } from './types';

/** What the list asks the panel to do. */
export interface WorkflowListActions {
  selectRun(run: RunRow, workflow: string): void;
  build(workflow: string): void;
  run(workflow: string): void;
}

/** The words for a workflow's build state (from its last build run, or whether it holds a build). */
export function buildLabel(workflow: WorkflowSummary): { text: string; label: string } {
  const last = workflow.last_build;
  if (last && !last.terminal) {
    return { text: 'building', label: 'running' };
  }
  if (last && last.label === 'failed') {
    return { text: 'build failed', label: 'failed' };
  }
  if (last && last.label === 'stopped') {
    return { text: 'build stopped', label: 'stopped' };
  }
  return workflow.built ? { text: 'built', label: 'succeeded' } : { text: 'not built', label: 'pending' };
}

/** One line of a run: `state  id  start  duration`, as a toggle button. */
class RunItem {
  readonly node = el('li', 'dhhera-Run');

  constructor(
    private run: RunRow,
    private readonly workflow: string,
    actions: WorkflowListActions
  ) {
    this.node.dataset.runId = run.id;
    this.button = button('dhhera-Run-button', '', '', () => actions.selectRun(this.run, this.workflow));
    this.button.setAttribute('aria-pressed', 'false');
    this.button.append(this.badge, this.id, this.start, this.duration);
    this.node.appendChild(this.button);
  }

  update(run: RunRow, selected: boolean, now: number): void {
    this.run = run;
    const start = formatStart(run.started, now);
    const duration = durationText(run.started, run.finished, now);
    this.badge.className = badgeClass(run.label);
    setText(this.badge, run.label);
    setText(this.id, shortId(run.id));
    setText(this.start, start);
    setText(this.duration, duration);
    const name = `Run ${run.id}: ${run.label}${start ? `, started ${start}` : ''}${duration ? `, ${duration}` : ''}`;
    if (this.button.getAttribute('aria-label') !== name) {
      this.button.setAttribute('aria-label', name);
      this.button.title = run.message ? `${name}\n${run.message}` : name;
    }
    this.button.setAttribute('aria-pressed', String(selected));
    this.node.classList.toggle('dhhera-mod-selected', selected);
  }

  private readonly button: HTMLButtonElement;
  private readonly badge = el('span', 'dhhera-badge');
  private readonly id = el('span', 'dhhera-Run-id');
  private readonly start = el('span', 'dhhera-Run-start');
  private readonly duration = el('span', 'dhhera-Run-duration');
}

/** One workflow: name, build and last-run badges, Build / Run… buttons, and its recent runs. */
class WorkflowItem {
  readonly node = el('li', 'dhhera-Workflow');

  constructor(
    readonly name: string,
    private readonly actions: WorkflowListActions
  ) {
    this.node.dataset.workflow = name;
    const header = el('div', 'dhhera-Workflow-header');
    this.toggle = button('dhhera-Workflow-toggle', '', `Show or hide the runs of ${name}`, () =>
      this.setExpanded(!this.expanded)
    );
    this.toggle.append(el('span', 'dhhera-Workflow-caret'), el('span', 'dhhera-Workflow-name', name));
    const buttons = el('span', 'dhhera-Workflow-actions');
    this.buildButton = button('dhhera-Button dhhera-Workflow-build', 'Build', `Build workflow ${name}`, () =>
      actions.build(name)
    );
    this.runButton = button('dhhera-Button dhhera-Workflow-run', 'Run…', `Run workflow ${name}…`, () =>
      actions.run(name)
    );
    buttons.append(this.buildButton, this.runButton);
    // Name on a line of its own, badges and buttons below: nothing is cut at the sidebar's default width.
    const states = el('div', 'dhhera-Workflow-states');
    this.buildBadge.type = 'button';
    this.buildBadge.addEventListener('click', () => {
      if (this.lastBuild) {
        actions.selectRun(this.lastBuild, name);
      }
    });
    states.append(this.buildBadge, this.lastRunBadge, buttons);
    header.append(this.toggle);
    this.runList.setAttribute('aria-label', `Runs of ${name}`);
    this.node.append(header, states, this.runList);
    this.setExpanded(true);
  }

  update(workflow: WorkflowSummary, selectedRun: string | null, now: number): void {
    const build = buildLabel(workflow);
    this.lastBuild = workflow.last_build;
    this.buildBadge.className = `${badgeClass(build.label)} dhhera-Workflow-buildState`;
    setText(this.buildBadge, build.text);
    this.buildBadge.disabled = !this.lastBuild;
    const hint = this.lastBuild ? ' (show the build run and its logs)' : '';
    this.buildBadge.title = `${workflow.last_build?.message ?? `Build: ${build.text}`}${hint}`;
    this.buildBadge.setAttribute('aria-label', `Build of ${this.name}: ${build.text}${hint}`);
    this.buildBadge.setAttribute('aria-pressed', String(Boolean(this.lastBuild && this.lastBuild.id === selectedRun)));
    const last = workflow.runs[0];
    this.lastRunBadge.hidden = !last;
    if (last) {
      this.lastRunBadge.className = badgeClass(last.label);
      setText(this.lastRunBadge, `last run ${last.label}`);
    }
    this.runButton.disabled = !workflow.built;
    this.runButton.title = workflow.built ? `Run workflow ${this.name}…` : `Build ${this.name} before running it`;
    this.buildButton.disabled = Boolean(workflow.last_build && !workflow.last_build.terminal);

    const items = workflow.runs.map(run => {
      let item = this.runs.get(run.id);
      if (!item) {
        item = new RunItem(run, this.name, this.actions);
        this.runs.set(run.id, item);
      }
      item.update(run, run.id === selectedRun, now);
      return item;
    });
    for (const id of Array.from(this.runs.keys())) {
      if (!workflow.runs.some(run => run.id === id)) {
        this.runs.delete(id);
      }
    }
    const children: Element[] = items.map(item => item.node);
    if (children.length === 0) {
      children.push(this.empty);
    }
    placeChildren(this.runList, children);
  }

  private setExpanded(expanded: boolean): void {
    this.expanded = expanded;
    this.toggle.setAttribute('aria-expanded', String(expanded));
    this.runList.hidden = !expanded;
    this.node.classList.toggle('dhhera-mod-collapsed', !expanded);
  }

  private expanded = true;
  private lastBuild: RunRow | null = null;
  private readonly toggle: HTMLButtonElement;
  private readonly buildButton: HTMLButtonElement;
  private readonly runButton: HTMLButtonElement;
  private readonly buildBadge = el('button', 'dhhera-badge');
  private readonly lastRunBadge = el('span', 'dhhera-badge');
  private readonly runList = el('ul', 'dhhera-RunList');
  private readonly empty = el('li', 'dhhera-RunList-empty', 'No runs yet.');
  private readonly runs = new Map<string, RunItem>();
}

/**
 * The workflows of a project with their recent runs. `update` patches the DOM in place (keyed by
 * workflow name and run id), so a refresh never loses focus or the expanded state.
 */
export class WorkflowListView {
  readonly node = el('ul', 'dhhera-WorkflowList');

  constructor(private readonly actions: WorkflowListActions) {
    this.node.setAttribute('aria-label', 'Workflows');
  }

  update(workflows: WorkflowSummary[], selectedRun: string | null, now: number): void {
    const items = workflows.map(workflow => {
      let item = this.items.get(workflow.name);
      if (!item) {
        item = new WorkflowItem(workflow.name, this.actions);
        this.items.set(workflow.name, item);
      }
      item.update(workflow, selectedRun, now);
      return item;
    });
    for (const name of Array.from(this.items.keys())) {
      if (!workflows.some(w => w.name === name)) {
        this.items.delete(name);
      }
    }
    placeChildren(
      this.node,
      items.map(item => item.node)
    );
  }

  /** Forget every workflow (another project was chosen). */
  clear(): void {
    this.items.clear();
    this.node.replaceChildren();
  }

  private readonly items = new Map<string, WorkflowItem>();
}
