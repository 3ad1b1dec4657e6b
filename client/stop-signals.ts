/**
 * Ctrl-C and SIGTERM, handled once per process however often they arrive. Under `npx tsx` a Ctrl-C reaches
 * the product twice (from the terminal's process group and relayed by tsx): a `process.once` handler would
 * be gone by the second, and Node's default action would end the process in the middle of its clean stop.
 */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Calls `stop` on the first stop signal; returns what removes the handler (once the stop is done). */
export function onStopSignal(stop: (signal: NodeJS.Signals) => void): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return; // the stop already under way goes on
    stopping = true;
    stop(signal);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, handler);
  return () => STOP_SIGNALS.forEach((signal) => process.off(signal, handler));
}
