// summarize-tests.mjs - reads the vitest JSON reports that scripts/test.sh
// collected (host unit tests and one guest run per kernel), and the
// results.json of other suites (the compile matrix: {"results": [{name,
// status: passed|failed|skipped, message}]}, one test per entry), and
// prints one summary, ending with the plain line "N passed, N failed, N skipped".
// Exits non-zero when anything failed, including a suite that crashed.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2];
if (!root) {
  console.error('usage: summarize-tests.mjs <out/test folder>');
  process.exit(2);
}

const readText = (p) => (existsSync(p) ? readFileSync(p, 'utf8').trim() : '');

let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
const failures = [];

for (const name of readdirSync(root).sort()) {
  const dir = join(root, name);
  // Files beside the suites' folders are logs (the host chain's, the cache's).
  if (!statSync(dir).isDirectory()) continue;
  const report = join(dir, 'vitest.json');
  const rc = readText(join(dir, 'suite.rc')) || readText(join(dir, 'rc'));
  const kernel = readText(join(dir, 'kernel'));
  const label = kernel ? `${name} (guest reports kernel ${kernel})` : name;
  const plain = join(dir, 'results.json');
  if (existsSync(plain)) {
    const results = JSON.parse(readFileSync(plain, 'utf8')).results ?? [];
    const count = (st) => results.filter((r) => r.status === st).length;
    const p = count('passed');
    const s = count('skipped');
    // Anything not passed or skipped is a failure, and so is an empty list.
    const f = results.length - p - s + (results.length === 0 ? 1 : 0);
    passed += p;
    failed += f;
    skipped += s;
    rows.push(`${label}: ${p} passed, ${f} failed, ${s} skipped`);
    for (const r of results) if (r.status !== 'passed' && r.status !== 'skipped') failures.push(`${name}: ${r.name}${r.message ? `: ${r.message}` : ''}`);
    if (results.length === 0) failures.push(`${name}: no results`);
    continue;
  }
  if (!existsSync(report)) {
    failed += 1;
    rows.push(`${label}: no test report (suite exit status ${rc || 'unknown'})`);
    failures.push(`${name}: the suite did not produce a report`);
    continue;
  }
  const json = JSON.parse(readFileSync(report, 'utf8'));
  const p = json.numPassedTests ?? 0;
  const f = json.numFailedTests ?? 0;
  const s = (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
  // A file that failed to load, or a run that failed outside any test (a
  // kernel splat seen by the sandbox, a hung guest), counts as one failure.
  const brokenFiles = (json.testResults ?? []).filter((r) => r.status === 'failed' && (r.assertionResults ?? []).every((a) => a.status !== 'failed'));
  let extra = brokenFiles.length;
  if (extra === 0 && f === 0 && rc && rc !== '0') extra = 1;
  passed += p;
  failed += f + extra;
  skipped += s;
  rows.push(`${label}: ${p} passed, ${f + extra} failed, ${s} skipped${rc && rc !== '0' ? ` (exit status ${rc})` : ''}`);
  for (const file of json.testResults ?? []) {
    for (const a of file.assertionResults ?? []) {
      if (a.status === 'failed') failures.push(`${name}: ${a.fullName}`);
    }
    if (brokenFiles.includes(file)) failures.push(`${name}: ${file.name}: ${(file.message ?? 'failed to run').split('\n')[0]}`);
  }
  if (extra && brokenFiles.length === 0) failures.push(`${name}: the run failed outside the tests (exit status ${rc}; see its log above)`);
}

console.log('\n== summary');
for (const r of rows) console.log(r);
if (failures.length) {
  console.log('\nfailed:');
  for (const f of failures) console.log(`  ${f}`);
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
