/**
 * Waiting on the workflow clock: the durable timers every step kind uses. Time always comes from the
 * workflow (replayed identically), never from the machine.
 */
import { CancellationScope, condition, isCancellation, sleep } from '@temporalio/workflow';

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

/**
 * Instances started before this change (waits for events: `wait-for`, `poll`) took a new timer at each
 * wake-up, and none when the event was already there; they keep doing so.
 */
export const ONE_TIMER_PER_WAIT = 'one-timer-per-wait';

/**
 * Runs a wait that may wake early (for events) under one durable timer for its whole length: the timer is
 * started first, whatever the wait then finds, and cancelled when the wait ends. `rang()` says whether it
 * fired. Unlike a `conditionUntil` per wake-up, the wait takes the same timer numbers however the events
 * it wakes for came in: in one workflow activation with the work before it (a replay) or in one after it
 * (the live run, e.g. when a query applied the work first). Temporal numbers timers in the order they are
 * started and does not check the numbers on replay, so a wait that started one timer more live than on
 * replay cancelled the wrong timer later (BadCancelTimerAttributes) and the instance stopped.
 */
export async function withTimer<T>(at: Date | undefined, wait: (rang: () => boolean) => Promise<T>): Promise<T> {
  if (at === undefined) return wait(() => false);
  let rang = false;
  const scope = new CancellationScope();
  const timer = scope.run(() => sleep(Math.max(1, at.getTime() - Date.now())));
  timer.then(
    () => (rang = true),
    (err) => {
      if (!isCancellation(err)) throw err;
    },
  );
  try {
    return await wait(() => rang);
  } finally {
    scope.cancel();
  }
}

export async function sleepUntil(at: Date): Promise<void> {
  const ms = at.getTime() - Date.now();
  if (ms > 0) await sleep(ms);
}
