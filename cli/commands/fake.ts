/**
 * `fake <action> <id>`: does to a local fake what a person would do in the vendor's own screens, so a
 * process waiting on it can be walked through on the embedded default. Talks to the fakes `npm start`
 * runs, on their fixed ports (FAKES_PORT, default 4110).
 */
import { DEFAULT_FAKES_PORT, fakeOrigin } from '../../fakes';
import { PlainError, UsageError, type Command } from '../command';

/** Each action: the fake it is done to, and its control route. */
const ACTIONS: Record<string, { system: string; route: (id: string) => string; done: string }> = {
  'pay-reward': { system: 'partnerstack', route: (id) => `/__control/rewards/${encodeURIComponent(id)}/paid`, done: 'marked paid in PartnerStack' },
  'move-issue': { system: 'jira', route: (id) => `/__control/issues/${encodeURIComponent(id)}/close`, done: 'moved to Done in Jira' },
  'sign-envelope': { system: 'docusign', route: (id) => `/__control/envelopes/${encodeURIComponent(id)}/complete`, done: 'signed by every recipient in DocuSign' },
  'sign-document': { system: 'pandadoc', route: (id) => `/__control/documents/${encodeURIComponent(id)}/sign`, done: 'signed by its next recipient in PandaDoc' },
};

export const fake: Command = {
  name: 'fake',
  summary: 'act on a local fake as a person would: pay a reward, move a Jira issue, sign a document',
  usage: `fake <${Object.keys(ACTIONS).join('|')}> <id>`,
  help: [
    'pay-reward <reward key>       PartnerStack: the reward is paid (rwrd_...)',
    'move-issue <issue key>        Jira: the issue moves to Done (e.g. OPS-12)',
    'sign-envelope <envelope id>   DocuSign: every recipient signs',
    'sign-document <document id>   PandaDoc: the next recipient signs',
    '',
    'Against the fakes of a running `npm start`, on FAKES_PORT (default 4110) and the ports after it.',
  ].join('\n'),
  async run([name, id]) {
    const action = ACTIONS[name ?? ''];
    if (!action || !id) throw new UsageError(`give an action (${Object.keys(ACTIONS).join(', ')}) and an id`);
    const base = process.env.FAKES_PORT ? Number(process.env.FAKES_PORT) : DEFAULT_FAKES_PORT;
    const url = `${fakeOrigin(action.system, base)}${action.route(id)}`;
    const response = await fetch(url, { method: 'POST' }).catch((err: Error) => {
      throw new PlainError(`the ${action.system} fake does not answer at ${url} (${err.cause instanceof Error ? err.cause.message : err.message}): is \`npm start\` running?`);
    });
    const body = await response.text();
    if (!response.ok) throw new PlainError(`the ${action.system} fake refused: ${response.status} ${body}`);
    console.log(`${id}: ${action.done}`);
    return 0;
  },
};
