// Bundle the anywidget front ends into single small ESM files next to the lab extension
// (dhhera_jupyter/static/), not inside it: the lab builder empties its own output folder.
import * as esbuild from 'esbuild';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const outdir = resolve(root, '..', 'dhhera_jupyter', 'static');
const watch = process.argv.includes('--watch');

const builds = [
  {
    entryPoints: {
      dag_widget: resolve(root, 'src/widgets/dag.ts'),
      log_view: resolve(root, 'src/widgets/log.ts'),
      run_progress: resolve(root, 'src/widgets/progress.ts'),
      output_preview: resolve(root, 'src/widgets/preview.ts')
    },
    bundle: true,
    format: 'esm',
    target: 'es2020',
    minify: !watch,
    sourcemap: false,
    legalComments: 'none',
    outdir,
    logLevel: 'info'
  },
  {
    entryPoints: {
      dag_widget: resolve(root, 'style/dag.css'),
      log_view: resolve(root, 'style/log.css'),
      run_panel: resolve(root, 'style/run-panel.css'),
      output_preview: resolve(root, 'style/preview.css')
    },
    bundle: true,
    minify: !watch,
    outdir,
    logLevel: 'info'
  }
];

if (watch) {
  for (const options of builds) {
    const context = await esbuild.context(options);
    await context.watch();
  }
} else {
  await Promise.all(builds.map(options => esbuild.build(options)));
}
