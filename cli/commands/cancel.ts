/** `cancel <workflow-id> --reason TEXT`: cancels an instance; the reason and who asked are kept. */
import { api, encode } from '../api-client';
import { UsageError, type Command } from '../command';
import { printJson, withProgress } from '../output';

export const cancel: Command = {
  name: 'cancel',
  summary: 'cancel a running instance, giving the reason',
  usage: 'cancel <workflow-id> --reason TEXT [--json]',
  options: { reason: { type: 'string' }, json: { type: 'boolean' } },
  async run([workflowId, ...extra], values) {
    if (!workflowId || extra.length) throw new UsageError('name one workflow id');
    if (!values.reason) throw new UsageError('give the --reason, for the audit trail');
    const answer = await withProgress('cancelling', () => api<{ workflowId: string }>('POST', `/instances/${encode(workflowId)}/cancel`, { reason: values.reason }));
    if (values.json) return printJson(answer), 0;
    console.log(`cancel requested for ${answer.workflowId}`);
    return 0;
  },
};
