// docs.test.ts - docs/cli.md carries every verb's current --help text, so
// the docs cannot drift from the code (`npm run docs:cli` regenerates it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderHelpSection } from '../../../cli/help-doc.js';
import { createProgram } from '../../../cli/program.js';
import { fakeDeps } from './fake-deps.js';

describe('docs/cli.md', () => {
  it('matches the help of every verb', () => {
    const doc = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'cli.md'), 'utf8');
    const section = renderHelpSection(createProgram(fakeDeps().deps));
    expect(doc.includes(section), 'docs/cli.md is stale: run `npm run docs:cli`').toBe(true);
    for (const verb of ['add', 'delete', 'query', 'list', 'set-fps', 'get-fps', 'set-caps', 'get-caps', 'set-timeout-image', 'status', 'stream', 'snapshot', 'doctor']) {
      expect(section).toContain(`\n## ${verb}\n`);
    }
  });
});
