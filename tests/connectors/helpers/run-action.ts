/**
 * Runs a connector action the way the worker's activity wrapper does: check the input against the action's
 * zod schema, run it with an idempotency key and a cancellation signal, and turn a ConnectorError into the
 * ApplicationFailure Temporal acts on. Calling it again with the same key and a higher `attempt` is what a
 * Temporal retry does.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Connector } from '../../../activities/shared/action';
import { toActivityFailure } from '../../../activities/shared/errors';

export async function runAction<Client>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  connector: Connector<Client, any>,
  client: Client,
  name: string,
  input: unknown,
  idempotencyKey = `wf-test:${name}:${Math.random().toString(36).slice(2)}`,
  attempt = 1,
): Promise<unknown> {
  const action = connector.actions.find((a) => a.name === name);
  if (!action) throw new Error(`no action ${name}`);
  const parsed = action.input.parse(input);
  try {
    return await action.run(client, parsed, { idempotencyKey, signal: new AbortController().signal, attempt });
  } catch (err) {
    throw toActivityFailure(err);
  }
}

/** Runs the action and returns the ApplicationFailure it fails with (the test fails if it succeeds). */
export async function failureOf(run: Promise<unknown>): Promise<ApplicationFailure> {
  const outcome = await run.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(outcome.value)}`);
  if (!(outcome.error instanceof ApplicationFailure)) throw outcome.error;
  return outcome.error;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
