// chromium-probe.ts - command-line wrapper around playCamera(), for trying
// a device by hand in the sandbox: node dist/demo/chromium-probe.js <label> [seconds]
import { playCamera } from './chromium.js';

const [label, seconds] = process.argv.slice(2);
if (!label) {
  console.error('usage: chromium-probe.js <camera label> [seconds]');
  process.exitCode = 2;
} else {
  console.log(JSON.stringify(await playCamera({ label, seconds: Number(seconds ?? 5) }), null, 2));
}
