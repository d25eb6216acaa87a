// docs.test.ts - keeps docs/api.md and docs/errors.md true to the code: every
// example parses on this Node.js and imports only what the package exports,
// every documented method exists, and every ERR_* code the library throws
// is documented (and nothing undocumented is).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as lib from '../../../src/index.js';

const root = join(import.meta.dirname, '..', '..', '..');
const api = readFileSync(join(root, 'docs', 'api.md'), 'utf8');
const errors = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
const examples = [...api.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe('docs/api.md examples', () => {
  it('has examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(10);
  });

  it('each parses as an ES module on this Node.js', () => {
    const dir = mkdtempSync(join(tmpdir(), 'v4l2l-docs-'));
    try {
      examples.forEach((code, i) => {
        const file = join(dir, `example-${i}.mjs`);
        writeFileSync(file, code);
        expect(() => execFileSync(process.execPath, ['--check', file], { stdio: 'pipe' }), code).not.toThrow();
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000); // one `node --check` per example

  it("imports only the package's exports", () => {
    for (const code of examples) {
      for (const m of code.matchAll(/import \{([^}]*)\} from 'v4l2loopback'/g)) {
        for (const name of m[1]!.split(',').map((s) => s.trim()).filter(Boolean)) {
          expect(lib, `${name} in\n${code}`).toHaveProperty(name);
        }
      }
    }
  });
});

describe('docs/api.md headings', () => {
  const owners: Record<string, object> = {
    device: lib.Device.prototype,
    camera: lib.VirtualCamera.prototype,
    capture: lib.Capture.prototype,
    VirtualCamera: lib.VirtualCamera,
    Capture: lib.Capture,
  };

  it('name functions and members that exist', () => {
    const headings = [...api.matchAll(/^### (.+)$/gm)].map((m) => m[1]!);
    let checked = 0;
    for (const h of headings) {
      // "device.caps -> ...", "camera.acquire() -> ..., camera.publish(...)", "version() -> ..."
      for (const m of h.matchAll(/(?:^|, )(?:(\w+)\.)?(\w+)(?:\(|\s|,|$)/g)) {
        const [, owner, name] = m;
        if (owner === undefined && !/^\w+\(/.test(m[0].replace(/^, /, ''))) continue;
        const target = owner === undefined ? lib : owners[owner];
        if (!target) continue;
        expect(name! in target, `${h}: ${owner ?? 'lib'}.${name}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(25);
  });
});

describe('docs/errors.md', () => {
  it('documents every ERR_* code the library throws, and no others', () => {
    const thrown = new Set<string>();
    for (const dir of ['src']) {
      for (const f of readdirSync(join(root, dir)).filter((n) => n.endsWith('.ts'))) {
        for (const m of readFileSync(join(root, dir, f), 'utf8').matchAll(/'(ERR_[A-Z_]+)'/g)) thrown.add(m[1]!);
      }
    }
    const documented = new Set([...errors.matchAll(/`(ERR_[A-Z_]+)`/g)].map((m) => m[1]!));
    expect([...thrown].sort()).toEqual([...documented].sort());
  });
});
