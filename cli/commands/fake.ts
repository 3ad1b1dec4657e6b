/**
 * `fake <action> <id...>`: does to a local fake what a person (or the vendor itself) would do in the vendor's
 * own screens, so a process waiting on it can be walked through on the embedded default. Talks to the fakes
 * `npm start` runs, on their fixed ports (FAKES_PORT, default 4110). Those the vendor starts a process with
 * (a deal registered in PartnerStack, the Channel Partner Form submitted) reach the API through the fake's
 * webhook, which `npm start` points at its API.
 */
import { DEFAULT_FAKES_PORT, fakeOrigin } from '../../fakes';
import { channelPartnerAnswers } from '../../fakes/jotform/fake';
import { PlainError, UsageError, type Command } from '../command';

interface Action {
  system: string;
  /** The arguments, as the usage names them; those in [brackets] are optional. */
  args: string[];
  help: string;
  /** Turns what a person knows (a workflow id, a label) into the record's id first, when the first argument is not one. */
  resolve?: (origin: string, given: string) => Promise<string>;
  /** The control route, and its body. */
  route: (args: string[]) => string;
  body?: (args: string[]) => unknown;
  /** What was done, in a sentence, from the fake's answer. */
  done: (args: string[], answer: never) => string;
}

const segment = encodeURIComponent;

/** "The webhook reached the API" or why not, from the fake's delivery. */
function delivery(delivered: { url: string; status: number }, workflowId: string): string {
  const api = new URL(delivered.url).origin;
  if (delivered.status === 200) return `delivered to the API at ${api}: instance ${workflowId}`;
  return `but the API at ${api} answered ${delivered.status || 'nothing'} (is \`npm start\` still running? see its log)`;
}

const ACTIONS: Record<string, Action> = {
  'pay-reward': {
    system: 'partnerstack', args: ['<reward key>'], help: 'PartnerStack: the reward is paid (rwrd_...)',
    route: ([key]) => `/__control/rewards/${segment(key)}/paid`,
    done: ([key]) => `${key}: marked paid in PartnerStack`,
  },
  'move-issue': {
    system: 'jira', args: ['<issue key | label>'], help: 'Jira: the issue (or the one open issue with that label) moves to Done',
    resolve: issueByLabel,
    route: ([key]) => `/__control/issues/${segment(key)}/close`,
    done: ([key]) => `${key}: moved to Done in Jira`,
  },
  'sign-envelope': {
    system: 'docusign', args: ['<envelope id | workflow id>'], help: 'DocuSign: every recipient signs (the envelope, or the one the instance sent)',
    resolve: (origin, given) => madeBy('docusign', origin, given),
    route: ([id]) => `/__control/envelopes/${segment(id)}/complete`,
    done: ([id]) => `${id}: signed by every recipient in DocuSign`,
  },
  'sign-document': {
    system: 'pandadoc', args: ['<document id | workflow id>'], help: 'PandaDoc: the next recipient signs (the document, or the one the instance sent)',
    resolve: (origin, given) => madeBy('pandadoc', origin, given),
    route: ([id]) => `/__control/documents/${segment(id)}/sign`,
    done: ([id], document: { status: string; recipients: Array<{ role: string; has_completed: boolean }> }) =>
      `${id}: signed by ${document.recipients.filter((r) => r.has_completed).map((r) => r.role).join(', ')} in PandaDoc (${document.status === 'document.completed' ? 'completed' : 'waiting for the next signer'})`,
  },
  'register-deal': {
    system: 'partnerstack', args: ['<partner key>', '<HubSpot company id>', '[amount in USD]'],
    help: "PartnerStack: the partner registers a deal for the company; its HubSpot integration makes the HubSpot deal and ticket, then deal.created goes to the API",
    route: () => '/__control/deals/register',
    body: ([partnerKey, hubspotCompanyId, amount]) => ({ partnerKey, hubspotCompanyId, ...(amount === undefined ? {} : { amount: Math.round(usd(amount) * 100) }) }),
    done: (_args, { deal, delivered }: { deal: { key: string; account_name: string; external_key: string }; delivered: { url: string; status: number } }) =>
      `${deal.key}: deal for ${deal.account_name} registered in PartnerStack, HubSpot deal ${deal.external_key}; deal.created ${delivery(delivered, `deal-provisioning/${deal.key}`)}`,
  },
  'add-referral': {
    system: 'partnerstack', args: ['<deal key>'], help: 'PartnerStack: its HubSpot integration lists the deal\'s company under the partner\'s "Referral"',
    route: ([key]) => `/__control/deals/${segment(key)}/referral`,
    done: ([key], customer: { name: string | null; customer_key: string }) => `${key}: ${customer.name ?? 'the company'} (HubSpot company ${customer.customer_key}) listed under Referral in PartnerStack`,
  },
  'submit-form': {
    system: 'jotform', args: ['<company>', '<administrator e-mail>'], help: 'JotForm: the Channel Partner Form is submitted for the organisation, and posted to the API',
    route: () => '/__control/submissions/submit',
    body: ([company, email]) => ({ answers: channelPartnerAnswers(company, email) }),
    done: (_args, { submission, delivered }: { submission: { id: string }; delivered: { url: string; status: number } }) =>
      `${submission.id}: Channel Partner Form submitted on JotForm, ${delivery(delivered, `channel-partner-request/${submission.id}`)}`,
  },
};

function usd(text: string): number {
  const amount = Number(text);
  if (!Number.isFinite(amount) || amount < 0) throw new UsageError(`the amount must be a number of US dollars, not '${text}'`);
  return amount;
}

/** A workflow id given where a DocuSign envelope or PandaDoc document id is expected: the one that instance sent (found by the key it stored, `<workflow id>:...`). */
async function madeBy(system: 'docusign' | 'pandadoc', origin: string, workflowId: string): Promise<string> {
  if (!workflowId.includes('/')) return workflowId; // an envelope or document id: workflow ids are <process>/<key>
  const state = (await (await fetch(`${origin}/__control/state`)).json()) as {
    envelopes?: Array<{ envelopeId: string; status: string; customFields: Array<{ name: string; value: string }> }>;
    documents?: Array<{ id: string; status: string; metadata: Record<string, unknown> }>;
  };
  const mine = (key: unknown) => typeof key === 'string' && key.startsWith(`${workflowId}:`);
  const found = system === 'docusign'
    ? (state.envelopes ?? []).filter((e) => e.customFields.some((f) => f.name === 'wf_key' && mine(f.value))).map((e) => ({ id: e.envelopeId, status: e.status }))
    : (state.documents ?? []).filter((d) => mine(d.metadata.wf_key)).map((d) => ({ id: d.id, status: d.status }));
  const open = found.filter((f) => !['completed', 'document.completed', 'voided', 'declined'].includes(f.status));
  const what = system === 'docusign' ? 'envelope' : 'document';
  if (!found.length) throw new PlainError(`no ${what} '${workflowId}' in ${system === 'docusign' ? 'DocuSign' : 'PandaDoc'}, and no instance of that id has sent one (yet?)`);
  if (!open.length) throw new PlainError(`every ${what} ${workflowId} sent is already signed: ${found.map((f) => f.id).join(', ')}`);
  return open.at(-1)!.id;
}

/** A label instead of an issue key (PROJECT-123): the one issue not Done that carries it, as a search by label in Jira finds it. */
async function issueByLabel(origin: string, given: string): Promise<string> {
  if (/^[A-Z][A-Z0-9_]*-\d+$/.test(given)) return given;
  const { issues } = (await (await fetch(`${origin}/__control/issues`)).json()) as { issues: Array<{ key: string; fields: { labels?: string[]; status?: { statusCategory?: { key?: string } } } }> };
  const open = issues.filter((i) => i.fields.labels?.includes(given) && i.fields.status?.statusCategory?.key !== 'done');
  if (open.length === 1) return open[0].key;
  const all = issues.filter((i) => i.fields.labels?.includes(given));
  if (!all.length) throw new PlainError(`no Jira issue '${given}', and none carries that label (an issue key looks like CS-12)`);
  if (!open.length) throw new PlainError(`every issue labelled ${given} is Done already: ${all.map((i) => i.key).join(', ')}`);
  throw new PlainError(`${open.length} open issues carry the label ${given} (${open.map((i) => i.key).join(', ')}): give the key of one`);
}

export const fake: Command = {
  name: 'fake',
  summary: 'act on a local fake as a person or the vendor would: pay a reward, move a Jira issue, sign, register a deal, submit a form',
  usage: `fake <${Object.keys(ACTIONS).join('|')}> <id...>`,
  help: [
    ...Object.entries(ACTIONS).map(([name, a]) => `${`${name} ${a.args.join(' ')}`.padEnd(64)} ${a.help}`),
    '',
    'Against the fakes of a running `npm start`, on FAKES_PORT (default 4110) and the ports after it; the ids',
    'to start with are the demo data `npm start` prints.',
  ].join('\n'),
  async run([name, ...args]) {
    const action = ACTIONS[name ?? ''];
    if (!action) throw new UsageError(`give an action (${Object.keys(ACTIONS).join(', ')}) and its ids`);
    const required = action.args.filter((a) => !a.startsWith('['));
    if (args.length < required.length || args.length > action.args.length) throw new UsageError(`${name} takes ${action.args.join(' ')}`);
    const base = process.env.FAKES_PORT ? Number(process.env.FAKES_PORT) : DEFAULT_FAKES_PORT;
    const origin = fakeOrigin(action.system, base);
    const unreachable = (err: Error) => {
      throw new PlainError(`the ${action.system} fake does not answer at ${origin} (${err.cause instanceof Error ? err.cause.message : err.message}): is \`npm start\` running?`);
    };
    if (action.resolve) args[0] = await action.resolve(origin, args[0]).catch((err: Error) => (err instanceof PlainError ? Promise.reject(err) : unreachable(err)));
    const body = action.body?.(args);
    const url = `${origin}${action.route(args)}`;
    const response = await fetch(url, {
      method: 'POST',
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    }).catch(unreachable);
    const text = await response.text();
    if (!response.ok) throw new PlainError(`the ${action.system} fake refused: ${response.status} ${refusal(text)}`);
    console.log(action.done(args, (text ? JSON.parse(text) : undefined) as never));
    return 0;
  },
};

/** The vendor's error message when its body has one, else the body as it came. */
function refusal(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown; errors?: Array<{ message?: unknown }> };
    const message = typeof body.message === 'string' ? body.message : body.errors?.map((e) => e.message).filter(Boolean).join('; ');
    return message || text;
  } catch {
    return text;
  }
}
