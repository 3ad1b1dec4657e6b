/**
 * Waiting on the workflow clock: the durable timers every step kind uses. Time always comes from the
 * workflow (replayed identically), never from the machine.
 */
import { condition, sleep } from '@temporalio/workflow';

/** The workflow's current instant as ISO text, as written in the audit trail. */
export function now(): string {
  return new Date().toISOString();
}

export function earliest(...dates: (Date | undefined)[]): Date | undefined {
  return dates.filter((d): d is Date => d !== undefined).sort((a, b) => a.getTime() - b.getTime())[0];
}

/** Waits until `fn` holds (true) or the instant passes (false); with no instant, waits for `fn` only. */
export async function conditionUntil(fn: () => boolean, until: Date | undefined): Promise<boolean> {
  if (until === undefined) {
    await condition(fn);
    return true;
  }
  return condition(fn, Math.max(1, until.getTime() - Date.now()));
}

export async function sleepUntil(at: Date): Promise<void> {
  const ms = at.getTime() - Date.now();
  if (ms > 0) await sleep(ms);
}
