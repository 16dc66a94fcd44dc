import { button, el, setText } from './dom';
import type { Notice, NoticeAction } from './notices';
import type { BackendInfo } from './types';

/** One line for the backend in use: `Local core · 127.0.0.1:8765` or `Platform · https://…`. */
export function backendLine(backend: BackendInfo | null): string {
  if (!backend) {
    return 'Connecting…';
  }
  const where = backend.endpoint ? backend.endpoint.replace(/^https?:\/\//, '') : 'no endpoint';
  return `${backend.mode === 'local' ? 'Local core' : 'Platform'} · ${where}`;
}

/** The header below the panel title: backend, its health, the project selector and a refresh button. */
export class BackendHeader {
  readonly node = el('div', 'dhhera-SidebarHeader');

  constructor(handlers: { chooseProject(project: string): void; refresh(): void }) {
    const line = el('div', 'dhhera-SidebarHeader-backend');
    this.health.setAttribute('role', 'img');
    line.append(this.health, this.where);
    const projectRow = el('div', 'dhhera-SidebarHeader-project');
    const label = el('label', 'dhhera-SidebarHeader-label', 'Project');
    label.htmlFor = 'dhhera-project-select';
    this.select.id = 'dhhera-project-select';
    this.select.className = 'dhhera-SidebarHeader-select';
    this.select.addEventListener('change', () => handlers.chooseProject(this.select.value));
    projectRow.append(
      label,
      this.select,
      button('dhhera-Button dhhera-SidebarHeader-refresh', '⟳', 'Refresh now', () => handlers.refresh())
    );
    this.node.append(line, projectRow);
    this.setBackend(null);
  }

  setBackend(backend: BackendInfo | null): void {
    setText(this.where, backendLine(backend));
    const state = !backend ? 'unknown' : backend.healthy ? 'up' : 'down';
    this.health.className = `dhhera-Health dhhera-Health-${state}`;
    const text = state === 'up' ? 'backend answers' : state === 'down' ? 'backend does not answer' : 'connecting';
    this.health.setAttribute('aria-label', text);
    this.health.title = backend?.versions
      ? `${text}\n${Object.entries(backend.versions)
          .map(([k, v]) => `${k} ${v}`)
          .join('\n')}`
      : text;
  }

  /** Fill the project selector (keeps the current choice when it still exists). */
  setProjects(projects: string[], current: string): void {
    const names = projects.includes(current) ? projects : [...projects, current].sort();
    const existing = Array.from(this.select.options).map(o => o.value);
    if (existing.join('\n') !== names.join('\n')) {
      this.select.replaceChildren(
        ...names.map(name => {
          const option = document.createElement('option');
          option.value = name;
          option.textContent = name;
          return option;
        })
      );
    }
    this.select.value = current;
  }

  /** Move keyboard focus to the project selector. */
  focusProjects(): void {
    this.select.focus();
  }

  private readonly health = el('span', 'dhhera-Health');
  private readonly where = el('span', 'dhhera-SidebarHeader-where');
  private readonly select = document.createElement('select');
}

/** The labels of notice buttons. */
const ACTION_LABELS: Record<NoticeAction, string> = {
  retry: 'Retry now',
  'start-core': 'Start the local core',
  'choose-project': 'Choose a project'
};

/** An empty or error state with what to do about it. */
export class NoticeView {
  readonly node = el('div', 'dhhera-Notice');

  constructor(private readonly onAction: (action: NoticeAction) => void) {
    this.node.hidden = true;
    this.node.append(this.title, this.text, this.detail, this.actions);
  }

  /** Show a notice (null hides it); `detail` is a second line such as "Retrying in 8 s". */
  show(notice: Notice | null, detail = ''): void {
    if (!notice) {
      this.node.hidden = true;
      this.current = null;
      return;
    }
    this.node.hidden = false;
    this.node.className = `dhhera-Notice dhhera-Notice-${notice.kind}`;
    this.node.setAttribute('role', notice.kind === 'error' ? 'alert' : 'status');
    setText(this.title, notice.title);
    setText(this.text, notice.text);
    setText(this.detail, detail);
    this.detail.hidden = !detail;
    const key = notice.actions.join(',');
    if (this.current !== key) {
      this.current = key;
      this.actions.replaceChildren(
        ...notice.actions.map(action =>
          button(`dhhera-Button dhhera-Notice-${action}`, ACTION_LABELS[action], ACTION_LABELS[action], () =>
            this.onAction(action)
          )
        )
      );
    }
  }

  private current: string | null = null;
  private readonly title = el('p', 'dhhera-Notice-title');
  private readonly text = el('p', 'dhhera-Notice-text');
  private readonly detail = el('p', 'dhhera-Notice-detail');
  private readonly actions = el('div', 'dhhera-Notice-actions');
}
