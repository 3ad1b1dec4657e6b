/** `event`: sends an event to an instance, by workflow id or by process and business key. */
import { api, encode } from '../api-client';
import { UsageError, type Command } from '../command';
import { printJson, withProgress } from '../output';
import { jsonOption } from './json-option';

export const event: Command = {
  name: 'event',
  summary: 'send an event to an instance (by workflow id, or --process and --key)',
  usage: 'event <workflow-id> <event> [--payload JSON] | event --process P --key K <event> [--payload JSON]',
  options: { process: { type: 'string' }, key: { type: 'string' }, payload: { type: 'string' }, json: { type: 'boolean' } },
  async run(args, values) {
    const payload = jsonOption(values.payload, 'payload');
    let answer: { workflowId: string };
    if (values.process || values.key) {
      const [name, ...extra] = args;
      if (!values.process || !values.key || !name || extra.length) throw new UsageError('with --process and --key, name the event only');
      answer = await withProgress('sending', () => api('POST', '/events', { process: values.process, businessKey: values.key, name, payload }));
    } else {
      const [workflowId, name, ...extra] = args;
      if (!workflowId || !name || extra.length) throw new UsageError('name the instance and the event');
      answer = await withProgress('sending', () => api('POST', `/instances/${encode(workflowId)}/events`, { name, payload }));
    }
    if (values.json) return printJson(answer), 0;
    console.log(`event sent to ${answer.workflowId}`);
    return 0;
  },
};
