#!/usr/bin/env node
// The `rollcall` command. The TypeScript sources are compiled by `npm install` (the root
// `prepare` script runs `npm run build`); this shim only loads the compiled entry point.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    'rollcall: the command has not been built yet. Run `npm install` (or `npm run build`) in the Rollcall folder first.\n',
  );
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
