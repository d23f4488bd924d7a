// Bundles GraphiQL and its Monaco workers from node_modules into api/static/graphiql/ (committed;
// `make playground` rebuilds it). Usage: node playground/build.mjs [OUTDIR]; a test builds into a
// temporary OUTDIR and checks the result is byte for byte the committed bundle.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const outdir = process.argv[2]
  ? resolve(process.argv[2])
  : fileURLToPath(new URL('../api/static/graphiql/', import.meta.url));
rmSync(outdir, { recursive: true, force: true });

const common = {
  bundle: true,
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
  absWorkingDir: fileURLToPath(new URL('.', import.meta.url)),
};

await build({
  ...common,
  entryPoints: { playground: 'src/main.jsx' },
  outdir,
  format: 'esm',
  jsx: 'automatic',
  loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file' },
  assetNames: '[name]',
});

await build({
  ...common,
  entryPoints: {
    'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
    'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
    'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
  },
  outdir,
  format: 'iife',
});
console.log(`GraphiQL assets built into ${outdir}`);
