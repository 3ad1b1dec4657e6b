/**
 * Pid files of the embedded default in its data folder, so that a start after a kill -9 finds what the
 * killed run left behind. A recorded pid counts only while that process is alive and its command line
 * still names what was recorded (a pid reused by an unrelated program is never signalled).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface PidRecord {
  pid: number;
  /** A piece of its command line that identifies it, e.g. `start-dev`. */
  marker: string;
  startedAt: string;
}

export function writePidFile(file: string, pid: number, marker: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ pid, marker, startedAt: new Date().toISOString() } satisfies PidRecord)}\n`);
}

export function removePidFile(file: string, pid: number): void {
  if (readPidFile(file)?.pid === pid) rmSync(file, { force: true });
}

/** The process the file names, if it is still running as what was recorded. */
export function livingProcess(file: string): PidRecord | undefined {
  const record = readPidFile(file);
  return record && commandLine(record.pid)?.includes(record.marker) ? record : undefined;
}

/** Stops a process: SIGTERM, then SIGKILL if it has not gone within `graceMs`. */
export async function stopProcess(pid: number, graceMs = 10_000): Promise<void> {
  signal(pid, 'SIGTERM');
  for (const end = Date.now() + graceMs; Date.now() < end; ) {
    if (!alive(pid)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  signal(pid, 'SIGKILL');
  while (alive(pid)) await new Promise((resolve) => setTimeout(resolve, 100));
}

function readPidFile(file: string): PidRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as Partial<PidRecord>;
    return Number.isInteger(record.pid) && typeof record.marker === 'string' ? (record as PidRecord) : undefined;
  } catch {
    return undefined; // no file, or not one of ours
  }
}

function commandLine(pid: number): string | undefined {
  if (!alive(pid)) return undefined;
  try {
    // `ps` reads the same on Linux and macOS.
    return execFileSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A killed child not yet reaped by its parent still answers signal 0. */
function isZombie(pid: number): boolean {
  try {
    return execFileSync('ps', ['-p', String(pid), '-o', 'stat='], { encoding: 'utf8' }).trim().startsWith('Z');
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
