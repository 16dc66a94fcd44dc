import { Widget } from '@lumino/widgets';

import type { DagModel } from '../widgets/dag/types';
import { DagView } from '../widgets/dag/view';
import type { LocalModel } from './localModel';

/**
 * The selected run's DAG full size, for the main area: a second `DagView` on the run view's model, so it
 * follows the same run, states and selection, and its details pane floats beside the graph.
 */
export class DagPanel extends Widget {
  constructor(model: LocalModel<DagModel>) {
    super();
    this.addClass('dhhera-DagPanel');
    this.view = new DagView(this.node, model);
  }

  dispose(): void {
    if (!this.isDisposed) {
      this.view.dispose();
    }
    super.dispose();
  }

  private readonly view: DagView;
}
