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
}
