// build.mjs OUTDIR - bundles src/ with esbuild into OUTDIR (called by build.sh, which has run npm ci).
//
// app.js is one minified ES module bundle (CodeMirror, its language modes, KaTeX and our code);
// app.css is src/app.css with KaTeX's stylesheet inlined; the fonts KaTeX's CSS names are copied
// under fonts/ with content hashes in their names, so they may be cached for ever. index.html is
// copied as it is. A file left from an older build under fonts/ is removed first.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] || join(here, '../../build/web'));

mkdirSync(out, { recursive: true });
rmSync(join(out, 'fonts'), { recursive: true, force: true });

const common = {
  bundle: true,
  minify: true,
  sourcemap: false,
  target: ['es2020'],
  logLevel: 'warning',
  legalComments: 'linked',
};

await build({
  ...common,
  entryPoints: [join(here, 'src/main.js')],
  format: 'esm',
  outfile: join(out, 'app.js'),
});

await build({
  ...common,
  entryPoints: [join(here, 'src/app.css')],
  outfile: join(out, 'app.css'),
  loader: { '.woff2': 'file', '.woff': 'file', '.ttf': 'file' },
  assetNames: 'fonts/[name]-[hash]',
});

copyFileSync(join(here, 'src/index.html'), join(out, 'index.html'));
console.log(`build.mjs: app written to ${out}`);
