// Remove build outputs: lib/, the lab extension folder and the widget bundles.
import { rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outputs = [
  'lib',
  'tsconfig.tsbuildinfo',
  '../dhhera_jupyter/static/labextension',
  '../dhhera_jupyter/static/dag_widget.js',
  '../dhhera_jupyter/static/dag_widget.css'
];
for (const path of outputs) {
  rmSync(resolve(root, path), { recursive: true, force: true });
}
