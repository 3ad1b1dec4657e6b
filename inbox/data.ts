/**
 * What the inbox pages need beyond the API's own routes: who is signed in, and an instance's picture: its
 * definition's Mermaid diagram with the current step highlighted and the steps it has been through marked,
 * its stages in order, and the words its steps use (outcome labels, checklist item labels).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readInstance } from '../api/routes/instances';
import { WorkflowIdParams } from '../api/schemas';
import { problemResponses } from '../api/problems';
import { statusOf } from '../client/instances';
import type { CompiledDefinition } from '../dsl/compile';
import { toMermaid } from '../dsl/diagram';
import type { Step } from '../dsl/model';
import { reviewVerdicts } from '../dsl/review';
import type { InstanceState } from '../workflows/messages';
import type { InboxOptions } from './index';

export const SignedInPerson = z.object({ id: z.string(), name: z.string(), roles: z.array(z.string()) });

const StepWords = z.object({
  title: z.string(),
  outcomes: z.record(z.string(), z.string()).meta({ description: 'Outcome name → the label its button shows.' }),
  items: z.record(z.string(), z.string()).meta({ description: 'Checklist item id → its label.' }),
});

export const InstancePicture = z.object({
  chart: z.string().meta({ description: 'Mermaid flowchart; classes `current` and `done` mark where the instance is.' }),
  current: z.array(z.string()).meta({ description: 'The steps (or the end) the instance is at.' }),
  stages: z.array(z.object({ name: z.string(), state: z.enum(['done', 'current', 'upcoming']) })),
  steps: z.record(z.string(), StepWords),
  /** False when the instance runs another version than the one deployed now: the picture is of the deployed one. */
  exactVersion: z.boolean(),
});

/** Mermaid node ids, as `dsl/diagram.ts` names them (step ids are `[a-z0-9-]`). */
const nodeOf = (stepId: string) => `s_${stepId.replace(/[^a-zA-Z0-9]/g, '_')}`;

export function dataRoutes(options: InboxOptions): FastifyPluginAsync {
  return async (plain) => {
    const app = plain.withTypeProvider<ZodTypeProvider>();

    app.get('/inbox/data/me', {
      schema: { hide: true, response: { 200: SignedInPerson, ...problemResponses(401) } },
    }, async (request) => ({ id: request.person.id, name: request.person.name, roles: request.person.roles }));

    app.get('/inbox/data/instances/:workflowId', {
      schema: { hide: true, params: WorkflowIdParams, response: { 200: InstancePicture, ...problemResponses(401, 404) } },
    }, async (request) => {
      const { described, state } = await readInstance(options.client, request.params.workflowId);
      const found = definitionOf(options.registry, state);
      const status = statusOf(described);
      const ended = status !== 'running' ? (status === 'cancelled' ? 'cancelled' : state.status === 'running' ? undefined : state.status) : undefined;
      const { current, done } = whereItIs(state, ended);
      return {
        chart: highlighted(found ? toMermaid(found.definition) : 'flowchart TD\n  unknown["diagram not available"]\n', current, done),
        current,
        stages: stagesOf(found?.definition, state, ended !== undefined),
        steps: found ? wordsOf(found.definition.steps) : {},
        exactVersion: found?.exact ?? false,
      };
    });
  };
}

/** The instance's own version when deployed (or run as a subprocess of one), else the deployed one. */
function definitionOf(registry: ReadonlyMap<string, CompiledDefinition>, state: InstanceState): { definition: CompiledDefinition; exact: boolean } | undefined {
  const all = [...registry.values()].flatMap((d) => [d, ...Object.values(d.subprocesses)]);
  const exact = all.find((d) => d.hash === state.hash);
  if (exact) return { definition: exact, exact: true };
  const named = all.find((d) => d.process === state.process);
  return named ? { definition: named, exact: false } : undefined;
}

/** Current: the steps with open tasks, else the last step recorded, or the end reached; done: every other step recorded. */
function whereItIs(state: InstanceState, ended: string | undefined): { current: string[]; done: string[] } {
  const recorded = [...new Set(state.audit.flatMap((a) => (a.stepId ? [a.stepId] : [])))];
  let current: string[];
  if (ended) current = [`end_${ended}`];
  else if (state.openTasks.length) current = [...new Set(state.openTasks.map((t) => t.stepId))];
  else current = recorded.slice(-1);
  return { current, done: recorded.filter((id) => !current.includes(id)) };
}

function highlighted(chart: string, current: string[], done: string[]): string {
  const node = (id: string) => (id.startsWith('end_') ? id : nodeOf(id));
  const lines = [
    '  classDef done fill:#e3f1e6,stroke:#2e7d32,color:#102a14',
    '  classDef current fill:#ffd966,stroke:#8a4b00,stroke-width:4px,color:#1f1300',
  ];
  if (done.length) lines.push(`  class ${done.map(node).join(',')} done`);
  if (current.length) lines.push(`  class ${current.map(node).join(',')} current`);
  return `${chart.trimEnd()}\n${lines.join('\n')}\n`;
}

function stagesOf(definition: CompiledDefinition | undefined, state: InstanceState, ended: boolean) {
  const stages = definition?.stages ?? [];
  const at = state.stage ? stages.indexOf(state.stage) : -1;
  return stages.map((name, index) => ({
    name,
    state: (ended && index <= at) || index < at ? ('done' as const) : index === at ? ('current' as const) : ('upcoming' as const),
  }));
}

function wordsOf(steps: Step[]): Record<string, z.infer<typeof StepWords>> {
  const words: Record<string, z.infer<typeof StepWords>> = {};
  for (const step of steps) {
    const task = step.task;
    words[step.id] = {
      title: step.title ?? task?.title ?? step.review?.title ?? step.checklist?.title ?? step.id,
      outcomes: step.review
        ? Object.fromEntries(reviewVerdicts(step.review).map((v) => [v.name, v.label ?? v.name]))
        : Object.fromEntries(Object.entries(task?.outcomes ?? {}).map(([name, outcome]) => [name, outcome.label ?? name])),
      items: Object.fromEntries((step.checklist?.items ?? []).map((item) => [item.id, item.label])),
    };
    for (const branch of Object.values(step.parallel ?? {})) Object.assign(words, wordsOf(branch));
    if (step['for-each']) Object.assign(words, wordsOf(step['for-each'].steps));
    if (step.review?.['on-return']) Object.assign(words, wordsOf(step.review['on-return']));
    if (step.review?.['on-resubmit']) Object.assign(words, wordsOf(step.review['on-resubmit']));
  }
  return words;
}
