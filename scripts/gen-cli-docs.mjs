// gen-cli-docs.mjs - rewrites the generated --help section of docs/cli.md
// from the compiled CLI (run `npm run build` first; `npm run docs:cli` does).
import { readFileSync, writeFileSync } from 'node:fs';
import { createProgram } from '../dist/cli/program.js';
import { renderHelpSection, spliceHelpSection } from '../dist/cli/help-doc.js';

const file = new URL('../docs/cli.md', import.meta.url);
const deps = { lib: {}, io: { stdout: () => {}, stderr: () => {} }, doctor: {}, cliVersion: '0', outcome: { exitCode: 0 } };
writeFileSync(file, spliceHelpSection(readFileSync(file, 'utf8'), renderHelpSection(createProgram(deps))));
console.log('docs/cli.md updated');
