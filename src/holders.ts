// holders.ts - which processes have a device open (for EBUSY hints), read
// from /proc/<pid>/fd like fuser does. Best effort: unreadable pids are skipped.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface Holder {
  pid: number;
  command: string;
}

export function holdersOf(devicePath: string, procRoot = '/proc'): Holder[] {
  const out: Holder[] = [];
  let pids: string[];
  try {
    pids = readdirSync(procRoot).filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`${procRoot}/${pid}/fd`);
    } catch {
      continue;
    }
    const holds = fds.some((fd) => {
      try {
        return readlinkSync(`${procRoot}/${pid}/fd/${fd}`) === devicePath;
      } catch {
        return false;
      }
    });
    if (!holds) continue;
    let command = '?';
    try {
      command = readFileSync(`${procRoot}/${pid}/comm`, 'utf8').trim();
    } catch {
      /* gone meanwhile */
    }
    out.push({ pid: Number(pid), command });
  }
  return out;
}

/** "in use by ffmpeg (pid 123), obs (pid 456)" or a generic hint. */
export function busyHint(devicePath: string): string {
  const holders = holdersOf(devicePath);
  if (holders.length === 0) return `${devicePath} is in use (by another process, or by this one)`;
  return `${devicePath} is in use by ${holders.map((h) => `${h.command} (pid ${h.pid})`).join(', ')}`;
}
