/**
 * The front end of `dhhera_jupyter.widgets.DagWidget` (an anywidget ESM module).
 *
 * Bundled into `dhhera_jupyter/static/dag_widget.js`. It never fetches and never lays out:
 * Python sends the Graphviz SVG, this module shows it and restyles nodes by state.
 */
import type { RenderProps } from '@anywidget/types';

import type { DagModel } from './dag/types';
import { DagView } from './dag/view';

function render({ model, el }: RenderProps<DagModel>): () => void {
  const view = new DagView(el, model);
  return () => view.dispose();
}

export default { render };
