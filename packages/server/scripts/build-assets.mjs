// Bundles the small browser enhancement modules (packages/server/assets/*.ts) with esbuild into
// packages/server/public/assets/. Pages work without them; they add keyboard and touch comfort.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entries = readdirSync(`${root}/assets`)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => `${root}/assets/${f}`);
await build({
  entryPoints: entries,
  outdir: `${root}/public/assets`,
  bundle: true,
  format: 'esm',
  target: ['es2020'],
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
});
