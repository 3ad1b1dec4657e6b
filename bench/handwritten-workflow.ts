/**
 * The benchmark's baseline: the small approval process written by hand as a Temporal workflow, doing the
 * same work as `bench/approval.yaml` — one activity, one human task decided through a validated update,
 * one timer — and keeping the same search attributes (stage, open task roles) up to date.
 */
import { condition, defineUpdate, proxyActivities, setHandler, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import { searchAttributes } from '../workflows/messages';

interface Decision {
  taskId: string;
  outcome: string;
  actor: { id: string; roles: string[] };
}

export const decide = defineUpdate<{ taskId: string; outcome: string }, [Decision]>('decide');

const { 'bench.record': record } = proxyActivities<{ 'bench.record': (input: unknown) => Promise<unknown> }>({
  startToCloseTimeout: '1 minute',
});

export async function handwrittenApproval(input: { requestId: string }): Promise<string> {
  let taskOpen = false;
  let outcome: string | undefined;
  setHandler(decide, (d) => ((outcome = d.outcome), { taskId: d.taskId, outcome: d.outcome }), {
    validator: (d) => {
      if (!taskOpen || outcome !== undefined || d.taskId !== 'approve#1') throw new Error(`task '${d.taskId}' is not open`);
      if (!d.actor.roles.includes('approver')) throw new Error('only an approver may decide');
      if (!['approve', 'reject'].includes(d.outcome)) throw new Error(`unknown outcome '${d.outcome}'`);
    },
  });

  upsertSearchAttributes([{ key: searchAttributes.stage, value: 'intake' }]);
  await record({ requestId: input.requestId, what: 'received' });

  taskOpen = true;
  upsertSearchAttributes([{ key: searchAttributes.stage, value: 'approval' }, { key: searchAttributes.openTaskRoles, value: ['approver'] }]);
  await condition(() => outcome !== undefined);
  upsertSearchAttributes([{ key: searchAttributes.openTaskRoles, value: null }]);
  if (outcome === 'reject') return 'rejected';

  await sleep('1 second');
  return 'completed';
}
