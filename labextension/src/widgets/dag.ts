/**
 * The front end of `dhhera_jupyter.widgets.DagWidget` (an anywidget ESM module).
 *
 * Bundled into `dhhera_jupyter/static/dag_widget.js`. It never fetches and never lays out:
 * Python sends the Graphviz SVG, this module shows it and restyles nodes by state.
 */
import type { InitializeProps, RenderProps } from '@anywidget/types';

import { startClockTicker } from '../common/clock';
import type { DagModel } from './dag/types';
import { DagView } from './dag/view';

function render({ model, el }: RenderProps<DagModel>): () => void {
  const view = new DagView(el, model);
  // The run panel around the graph writes its clocks once; they tick here, with no kernel traffic.
  const releaseClocks = startClockTicker();
  return () => {
    releaseClocks();
    view.dispose();
  };
}

/**
 * Once per model, before and independently of any view: `DagWidget.patch_node_states(changes)` sends only
 * the changed nodes as a custom message; merge them into the model (no echo to the kernel, which already
 * holds the merged value). Views follow through `change:node_states`, including views created later.
 */
function initialize({ model }: InitializeProps<DagModel>): () => void {
  const onCustom = (msg: unknown): void => {
    const patch = msg as { type?: string; changes?: Record<string, string> } | null;
    if (!patch || patch.type !== 'patch_node_states' || typeof patch.changes !== 'object' || !patch.changes) {
      return;
    }
    model.set('node_states', { ...(model.get('node_states') ?? {}), ...patch.changes });
  };
  model.on('msg:custom', onCustom);
  return () => model.off('msg:custom', onCustom);
}

export default { initialize, render };
