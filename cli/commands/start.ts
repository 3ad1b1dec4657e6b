/** `start <process> --input JSON`: starts an instance, or finds the one running for the same business key. */
import { api, encode } from '../api-client';
import { UsageError, type Command } from '../command';
import { printJson, withProgress } from '../output';
import { jsonOption } from './json-option';

export const start: Command = {
  name: 'start',
  summary: 'start an instance (the input is checked against the process input schema)',
  usage: "start <process> [--input JSON] [--fail-if-running] [--json]",
  help: 'A second start with the same business key returns the running instance, unless --fail-if-running.\nexample: start service-amendment --input \'{"ticketId":"T-1","companyId":"C-1"}\'',
  options: { input: { type: 'string' }, 'fail-if-running': { type: 'boolean' }, json: { type: 'boolean' } },
  async run([name, ...extra], values) {
    if (!name || extra.length) throw new UsageError('name one process');
    const input = jsonOption(values.input, 'input') ?? {};
    const query = values['fail-if-running'] ? '?onConflict=fail' : '';
    const answer = await withProgress(`starting ${name}`, () =>
      api<{ workflowId: string; runId: string; created: boolean }>('POST', `/processes/${encode(name)}/instances${query}`, { input }),
    );
    if (values.json) return printJson(answer), 0;
    console.log(answer.created ? `started ${answer.workflowId}` : `already running: ${answer.workflowId}`);
    return 0;
  },
};
