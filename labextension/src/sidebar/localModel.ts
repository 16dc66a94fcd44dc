import type { AnyModel } from '@anywidget/types';

// The anywidget model types use `any` for values and event arguments; this model matches them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Values = Record<string, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (...args: any[]) => void;

/**
 * An in-page model with the anywidget model interface, so the sidebar can drive the same `DagView`
 * as the notebook widget: `set` stores a value and fires `change:<key>` to its listeners.
 */
export class LocalModel<T extends Values> implements AnyModel<T> {
  constructor(initial: T) {
    this.values = { ...initial };
  }

  get<K extends keyof T>(key: K): T[K] {
    return this.values[key];
  }

  set<K extends keyof T>(key: K, value: T[K]): void {
    if (this.values[key] === value) {
      return;
    }
    this.values[key] = value;
    for (const handler of this.handlers.get(`change:${String(key)}`) ?? []) {
      handler();
    }
  }

  on(eventName: string, callback: Handler): void {
    const list = this.handlers.get(eventName) ?? [];
    list.push(callback);
    this.handlers.set(eventName, list);
  }

  off(eventName?: string | null, callback?: Handler | null): void {
    if (!eventName) {
      this.handlers.clear();
      return;
    }
    if (!callback) {
      this.handlers.delete(eventName);
      return;
    }
    this.handlers.set(
      eventName,
      (this.handlers.get(eventName) ?? []).filter(h => h !== callback)
    );
  }

  save_changes(): void {
    // Nothing to sync: the model lives in the page.
  }

  send(): void {
    // No kernel behind this model.
  }

  readonly widget_manager = {
    get_model: (): Promise<never> => Promise.reject(new Error('The sidebar has no widget manager.'))
  };

  private readonly values: T;
  private readonly handlers = new Map<string, Handler[]>();
}
