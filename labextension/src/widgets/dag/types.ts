/** Details of one pipeline step, as sent by Python (`DagWidget.nodes[node_id]`). */
export interface NodeDetails {
  function?: string;
  function_key?: string;
  action?: string;
  template?: string;
  image?: string;
  inputs?: unknown;
  outputs?: unknown;
  when?: string;
  loop?: unknown;
  /** The name the user gave the step (`make` for `dag-op-make-1a2b3c4d`). */
  label?: string;
  /** Argo internals, shown folded. */
  argo?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The synced traits of `dhhera_jupyter.widgets.DagWidget`. */
export interface DagModel {
  svg: string;
  nodes: Record<string, NodeDetails>;
  node_states: Record<string, string>;
  selected: string;
  height: string;
  title: string;
  /** `pane` (default): details beside the graph; `none`: the host shows them. */
  details?: string;
  /** What the empty canvas says (default `No graph.`; the sidebar says `Loading the DAG…` until it arrives). */
  placeholder?: string;
}
