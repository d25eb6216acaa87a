// device-session.ts - opens a device for one command and always closes it.
import type { CliDeps, DeviceHandle } from './deps.js';

export async function withDevice<T>(deps: CliDeps, device: string, fn: (d: DeviceHandle) => Promise<T> | T): Promise<T> {
  const d = await deps.lib.open(device);
  try {
    return await fn(d);
  } finally {
    await d.close();
  }
}
