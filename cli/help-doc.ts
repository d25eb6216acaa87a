// help-doc.ts - renders every verb's --help as the reference section of
// docs/cli.md, so the docs are generated from the code (a unit test fails
// when the file is stale; `npm run docs:cli` rewrites it).
import type { Command } from 'commander';

export const BEGIN = '<!-- BEGIN GENERATED HELP: npm run docs:cli -->';
export const END = '<!-- END GENERATED HELP -->';

/** Help text at a fixed width, independent of the terminal. */
function helpOf(cmd: Command): string {
  cmd.configureHelp({ helpWidth: 100 });
  return cmd.helpInformation().trimEnd();
}

export function renderHelpSection(program: Command): string {
  const parts = [BEGIN, '', '## v4l2loopback-ctl', '', '```text', helpOf(program), '```'];
  for (const cmd of program.commands) {
    parts.push('', `## ${cmd.name()}`, '', '```text', helpOf(cmd), '```');
  }
  parts.push('', END);
  return parts.join('\n');
}

/** Replaces the generated section of a markdown document. */
export function spliceHelpSection(doc: string, section: string): string {
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`docs/cli.md lacks the ${BEGIN} ... ${END} markers`);
  return doc.slice(0, a) + section + doc.slice(b + END.length);
}
