/**
 * The step kinds: one handler per kind key of `dsl/model.ts` (`STEP_KINDS`). A new kind is a module here and
 * one line in `handlers`; the `Instance` finds the handler by the key the step carries.
 */
import type { Eventually } from '../../dsl/eventually';
import type { Step, StepKind } from '../../dsl/model';
import { handlersBeforeEagerSteps } from './before-eager-steps';
import { branch } from './branch';
import { call } from './call';
import { checklist } from './checklist';
import { notify } from './notify';
import type { Flow, StepContext } from './context';
import { forEach } from './for-each';
import { parallel } from './parallel';
import { poll } from './poll';
import { review } from './review';
import { end, set } from './set-end';
import { subprocess } from './subprocess';
import { humanTask } from './task';
import { wait } from './wait';
import { waitForEvent } from './wait-for';

/**
 * `id` is the step's id and visit (`approve#2`): activity, task and child ids derive from it. A handler whose
 * step did not have to wait may return its flow directly (dsl/eventually.ts).
 */
export type StepHandler = (ctx: StepContext, step: Step, id: string) => Eventually<Flow>;

/** Checked in this order: the same order the interpreter has always tested the kind keys in. */
export const handlers: readonly (readonly [StepKind, StepHandler])[] = [
  ['call', call],
  ['task', humanTask],
  ['review', review],
  ['checklist', checklist],
  ['wait', wait],
  ['wait-for', waitForEvent],
  ['poll', poll],
  ['notify', notify],
  ['branch', branch],
  ['parallel', parallel],
  ['for-each', forEach],
  ['subprocess', subprocess],
  ['set', set],
  ['end', end],
];

/** The same, for instances started before `eager-steps` (steps/before-eager-steps.ts). */
export const handlersBeforeEager: typeof handlers = handlers.map(([kind, handler]) => [kind, handlersBeforeEagerSteps[kind] ?? handler]);

export type { Ending, Flow, StepContext } from './context';
export { target, targetEagerly } from './context';
