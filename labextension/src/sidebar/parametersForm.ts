import { Widget } from '@lumino/widgets';

import { el } from './dom';
import type { ParameterSpec } from './types';

/**
 * The parameters to send: every field the user filled in. An empty field is left out so the workflow's
 * default applies (a parameter without default left empty is refused by the server, naming it).
 */
export function chosenParameters(values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value.trim() !== '') {
      out[name] = value;
    }
  }
  return out;
}

/** The body of the run dialog: one labelled field per declared parameter (a select for an `enum`). */
export class ParametersForm extends Widget {
  constructor(workflow: string, parameters: Record<string, ParameterSpec>) {
    super();
    this.addClass('dhhera-ParametersForm');
    const names = Object.keys(parameters);
    if (names.length === 0) {
      this.node.appendChild(el('p', 'dhhera-ParametersForm-empty', `Workflow ${workflow} takes no parameters.`));
    }
    for (const name of names) {
      const spec = parameters[name];
      const id = `dhhera-param-${this.uid}-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
      const label = el('label', 'dhhera-ParametersForm-label', name);
      label.htmlFor = id;
      let field: HTMLInputElement | HTMLSelectElement;
      if (spec.enum && spec.enum.length > 0) {
        const select = document.createElement('select');
        for (const value of spec.enum) {
          const option = document.createElement('option');
          option.value = value;
          option.textContent = value;
          select.appendChild(option);
        }
        select.value = spec.default ?? spec.enum[0];
        field = select;
      } else {
        const input = document.createElement('input');
        input.type = 'text';
        input.placeholder = spec.default === null ? 'required' : `default: ${spec.default}`;
        input.required = spec.default === null;
        field = input;
      }
      field.id = id;
      field.name = name;
      field.className = 'dhhera-ParametersForm-field';
      this.fields.set(name, field);
      const row = el('div', 'dhhera-ParametersForm-row');
      row.append(label, field);
      this.node.appendChild(row);
    }
  }

  /** The values to send (see {@link chosenParameters}). */
  getValue(): Record<string, string> {
    const values: Record<string, string> = {};
    for (const [name, field] of this.fields) {
      values[name] = field.value;
    }
    return chosenParameters(values);
  }

  private readonly uid = Math.random().toString(36).slice(2, 8);
  private readonly fields = new Map<string, HTMLInputElement | HTMLSelectElement>();
}
