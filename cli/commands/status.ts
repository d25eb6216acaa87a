// status.ts - `status [<dev>]`: per device, what a user asks first: is a
// producer attached, in which format and rate, who is reading, and how many
// frames went through.
import type { Command } from 'commander';
import type { LoopbackDevice } from '../../src/ctl.js';
import { type Rendered, verb } from '../command-kit.js';
import type { CliDeps } from '../deps.js';
import { withDevice } from '../device-session.js';

export interface DeviceStatus {
  device: string;
  capture: string;
  label: string;
  split: boolean;
  state: string;
  producer: boolean;
  format: string | null;
  fps: number | null;
  readers: number;
  frames: number;
  keepFormat: boolean;
  sustainFramerate: boolean;
  timeoutMs: number;
}

async function statusOf(deps: CliDeps, info: LoopbackDevice): Promise<DeviceStatus> {
  return withDevice(deps, String(info.nr), (d) => ({
    device: info.path,
    capture: info.capturePath,
    label: info.label,
    split: info.split,
    state: d.state,
    producer: d.state === 'capture',
    format: d.capsString ?? null,
    fps: d.fps ?? null,
    readers: d.readers,
    frames: d.frames,
    keepFormat: d.keepFormat,
    sustainFramerate: d.sustainFramerate,
    timeoutMs: d.timeout,
  }));
}

export async function runStatus(deps: CliDeps, device?: string): Promise<DeviceStatus[]> {
  const devices = device === undefined ? await deps.lib.list() : [await deps.lib.query(device)];
  const out: DeviceStatus[] = [];
  for (const info of devices) out.push(await statusOf(deps, info));
  return out;
}

export function renderStatus(list: readonly DeviceStatus[]): Rendered {
  const human = list.flatMap((s) => [
    `${s.device}${s.split ? ` -> ${s.capture}` : ''}  '${s.label}'`,
    `  producer: ${s.producer ? 'attached' : 'none'}   readers: ${s.readers}   frames seen: ${s.frames}`,
    `  format:   ${s.format ?? '(not negotiated)'}${s.keepFormat ? '  (kept)' : ''}`,
    `  fps:      ${s.fps === null ? '-' : Number(s.fps.toFixed(3))}${s.sustainFramerate ? '  (sustained)' : ''}   timeout: ${s.timeoutMs ? `${s.timeoutMs} ms` : 'off'}`,
  ]);
  return { json: list, human: list.length ? human : ['no loopback devices found'] };
}

export function makeStatusCommand(deps: CliDeps): Command {
  return verb(deps, 'status', 'show producer, format, fps and readers of devices', async (_ctx, device?: string) =>
    renderStatus(await runStatus(deps, device)),
  ).argument('[device]', 'device: /dev/videoN, N or label (default: all)');
}
