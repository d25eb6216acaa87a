#!/usr/bin/env node
// index.ts - the v4l2loopback-ctl executable.
import { readFileSync } from 'node:fs';
import { realDeps } from './deps.js';
import { main } from './main.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
process.exitCode = await main(process.argv, realDeps(pkg.version));
