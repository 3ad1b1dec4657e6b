/**
 * A local JotForm (EU API): a real HTTP server on 127.0.0.1 serving `GET /submission/{id}` through the
 * contract kit, seeded with the Channel Partner Form (220683651272354, seed 002), and a webhook emitter
 * that posts what JotForm posts: multipart/form-data with formID, submissionID, rawRequest and pretty.
 *
 * Control, in process or over HTTP under `/__control`:
 *   seedSubmission / POST /__control/submissions   sendWebhook / POST /__control/webhooks {url, submissionId}
 *   setLimitLeft (daily calls left)                state() / GET /__control/state, injectFault, journal, reset
 *   subscribe / POST /__control/webhook {url}      the form's webhook integration (where submissions go)
 *   submit / POST /__control/submissions/submit {answers}   someone fills in the form: the submission is
 *     made and delivered to the subscribed URL
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual } from '../shared/compare';
import { createFakeKit, FakeError, type Fault, type JournalEntry, type RunningFake } from '../shared/fake-kit';
import { persistStore } from '../shared/persist';
import { DAILY_LIMIT, jotformContract } from './contract';

/** EverBright's Channel Partner Form on eu.jotform.com (seed 002). */
export const CHANNEL_PARTNER_FORM_ID = '220683651272354';

export interface FakeAnswer { name: string; text: string; type: string; answer?: unknown; prettyFormat?: string }
export interface FakeSubmission { id: string; form_id: string; created_at: string; status: 'ACTIVE'; answers: Record<string, FakeAnswer & { order: string }> }

export interface JotFormFake extends RunningFake {
  apiKey: string;
  /** The secret the engine's webhook URL carries (JotForm signs nothing). */
  webhookToken: string;
  journal: JournalEntry[];
  breaches(): string[];
  injectFault(fault: Fault): void;
  /** Adds a submission; answers in form order, ids 1, 2, 3, ... as JotForm numbers questions. */
  seedSubmission(input: { formId?: string; answers: FakeAnswer[] }): FakeSubmission;
  /** Posts the submission to `url` the way JotForm does (multipart), with optional field overrides (forgeries). */
  sendWebhook(url: string, submissionId: string, overrides?: Record<string, string>): Promise<{ status: number }>;
  setLimitLeft(calls: number): void;
  /** The form's webhook integration: where each new submission is posted. */
  subscribe(url: string): void;
  /** Someone fills in the form: the submission is made and posted to the subscribed URL. */
  submit(input: { formId?: string; answers: FakeAnswer[] }): Promise<{ submission: FakeSubmission; delivered: { url: string; status: number } }>;
  state(): { submissions: FakeSubmission[]; limitLeft: number };
  reset(): void;
}

/** A Channel Partner Form submission, as the form on eu.jotform.com asks it (seed 002). */
export function channelPartnerAnswers(company: string, email: string): FakeAnswer[] {
  return [
    { name: 'companyName', text: 'Company Name', type: 'control_textbox', answer: company },
    { name: 'channelPartner', text: 'Channel Partner Name', type: 'control_textbox', answer: `${company} Channel` },
    { name: 'adminName', text: 'Administrator', type: 'control_fullname', answer: { first: 'Ada', last: 'Admin' }, prettyFormat: 'Ada Admin' },
    { name: 'adminEmail', text: 'Administrator E-mail', type: 'control_email', answer: email },
  ];
}

/** `stateFile`: keep the submissions there across restarts (the embedded default). */
export async function startJotFormFake(options: { port?: number; stateFile?: string } = {}): Promise<JotFormFake> {
  const apiKey = randomBytes(16).toString('hex');
  const webhookToken = randomBytes(24).toString('base64url');
  // One object, so persistStore can save and restore it; the daily limit starts afresh.
  let data = { submissions: [] as FakeSubmission[] };
  let limitLeft = DAILY_LIMIT;
  let webhookUrl: string | undefined;
  let counter = 5_000_000_000_000_000_000n;

  const kit = createFakeKit({ contract: jotformContract, credentials: {}, reset: () => fake.reset() });
  // [auth]: the key in the APIKEY header or the apiKey query parameter.
  kit.app.addHook('onRequest', async (request, reply) => {
    if (!request.routeOptions.config?.operation || reply.sent) return;
    const presented = (request.headers.apikey as string | undefined) ?? new URL(request.url, 'http://x').searchParams.get('apiKey') ?? '';
    if (constantTimeEqual(presented, apiKey)) return;
    return reply.code(401).send(jotformContract.error(401, `You're not authorized to use (${request.url.split('?')[0]})`));
  });

  kit.handle('submission.get', ({ params }) => {
    if (limitLeft <= 0) throw new FakeError(429, 'You reached your daily limit.');
    limitLeft -= 1;
    const submission = data.submissions.find((s) => s.id === params.id);
    if (!submission) throw new FakeError(404, `Requested URL (/submission/${params.id}) is not available!`);
    return { responseCode: 200, message: 'success', content: { ...submission, ip: '203.0.113.7', new: '1', flag: '0', notes: '', updated_at: null }, duration: '12ms', 'limit-left': limitLeft };
  });

  const fake: JotFormFake = {
    system: 'jotform',
    url: '',
    env: {},
    apiKey,
    webhookToken,
    journal: kit.journal,
    breaches: kit.breaches,
    injectFault: kit.injectFault,
    seedSubmission({ formId = CHANNEL_PARTNER_FORM_ID, answers }) {
      counter += 1n;
      const submission: FakeSubmission = {
        id: String(counter),
        form_id: formId,
        created_at: new Date().toISOString().replace('T', ' ').slice(0, 19),
        status: 'ACTIVE',
        answers: Object.fromEntries(answers.map((a, i) => [String(i + 1), { ...a, order: String(i + 1) }])),
      };
      data.submissions.push(submission);
      return submission;
    },
    async sendWebhook(url, submissionId, overrides = {}) {
      const submission = data.submissions.find((s) => s.id === submissionId);
      if (!submission) throw new FakeError(404, `no submission ${submissionId}`);
      const raw = Object.fromEntries(Object.entries(submission.answers).map(([qid, a]) => [`q${qid}_${a.name}`, a.answer]));
      const fields: Record<string, string> = {
        formID: submission.form_id,
        submissionID: submission.id,
        formTitle: 'Channel Partner Form',
        ip: '203.0.113.7',
        type: 'WEB',
        rawRequest: JSON.stringify(raw),
        pretty: Object.values(submission.answers).map((a) => `${a.text}:${a.prettyFormat ?? String(a.answer ?? '')}`).join(', '),
        ...overrides,
      };
      const boundary = `----JotFormBoundary${randomBytes(8).toString('hex')}`;
      const body = Object.entries(fields).map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join('') + `--${boundary}--\r\n`;
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body });
      await response.arrayBuffer();
      return { status: response.status };
    },
    setLimitLeft: (calls) => void (limitLeft = calls),
    subscribe: (url) => void (webhookUrl = url),
    async submit(input) {
      if (!webhookUrl) throw new FakeError(409, 'no webhook subscribed: JotForm has nowhere to send the submission (is the API running?)');
      const submission = fake.seedSubmission(input);
      const { status } = await fake.sendWebhook(webhookUrl, submission.id);
      return { submission, delivered: { url: webhookUrl, status } };
    },
    state: () => ({ submissions: data.submissions, limitLeft }),
    reset() {
      data = { submissions: [] };
      limitLeft = DAILY_LIMIT;
      kit.journal.length = 0;
    },
    close: () => kit.close(),
  };

  kit.app.post('/__control/submissions', async (request: FastifyRequest<{ Body: { formId?: string; answers: FakeAnswer[] } }>) => fake.seedSubmission(request.body));
  kit.app.post('/__control/webhooks', async (request: FastifyRequest<{ Body: { url: string; submissionId: string; overrides?: Record<string, string> } }>) =>
    fake.sendWebhook(request.body.url, request.body.submissionId, request.body.overrides),
  );
  kit.app.get('/__control/state', async () => fake.state());
  kit.app.post('/__control/webhook', async (request: FastifyRequest<{ Body: { url: string } }>, reply: FastifyReply) => {
    fake.subscribe(request.body.url);
    return reply.code(204).send();
  });
  kit.app.post('/__control/submissions/submit', async (request: FastifyRequest<{ Body: { formId?: string; answers: FakeAnswer[] } }>) => fake.submit(request.body));

  persistStore(kit.app, options.stateFile, () => data);
  // Ids go on from the last one kept.
  for (const { id } of data.submissions) if (BigInt(id) > counter) counter = BigInt(id);
  fake.url = await kit.listen(options.port);
  fake.env = { JOTFORM_API_KEY: apiKey, JOTFORM_BASE_URL: fake.url, JOTFORM_FORM_IDS: CHANNEL_PARTNER_FORM_ID, JOTFORM_WEBHOOK_TOKEN: webhookToken };
  return fake;
}
