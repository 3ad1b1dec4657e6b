/**
 * Payload encryption end to end, on a dev server: what the server keeps in history is ciphertext, the API
 * (holding the keys) still shows the instance, a key added in front reads what the old key wrote and seals
 * what comes next with the new one, sensitive form fields are "•••" in the API but reach the activities,
 * and Temporal's web UI can decode through the codec endpoint once signed in.
 */
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startActivities } from '../activities';
import { SESSION_COOKIE } from '../api/sign-in';
import { AesGcmPayloadCodec, COMPRESSED_METADATA, dataConverterFor, defaultKeyFile, KEY_ID_METADATA, parsePayloadKeys, PayloadKeysInvalid, PayloadUnreadable, payloadKeysFromEnv, type PayloadKey } from '../client/payload-codec';
import { devServerPath } from '../client/temporal-servers';
import type { CompiledDefinition } from '../dsl/compile';
import { startFakes, type Sandbox } from '../fakes';
import type { EmailFake } from '../fakes/email/fake';
import { bundleWorkflows, TASK_QUEUE } from '../worker';
import { call, id, startTestApi, type ApiHarness } from './support/api';
import { devServerEnvironment } from './support/environments';
import { compile } from './support/processes';
import { MASK, Secrets } from '../workflows/sensitive';

const run = promisify(execFile);
const keyText = (keyId: string) => `${keyId}:${randomBytes(32).toString('base64')}`;

describe('the payload codec', () => {
  it('reads PAYLOAD_KEYS with the first key current, and says what is wrong without showing a key', () => {
    const keys = parsePayloadKeys(`${keyText('k2')}, ${keyText('k1')}`);
    expect(keys.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(() => parsePayloadKeys('k1:c2hvcnQ=')).toThrow(/key 'k1' is 5 bytes .* exactly 32/);
    expect(() => parsePayloadKeys(randomBytes(32).toString('base64'))).toThrow(PayloadKeysInvalid);
    expect(() => parsePayloadKeys(`${keyText('k1')},${keyText('k1')}`)).toThrow(/'k1' is listed twice/);
  });

  it('opens payloads sealed with an older key after rotation, seals new ones with the new key, and refuses unknown keys', async () => {
    const [k1] = parsePayloadKeys(keyText('k1'));
    const [k2] = parsePayloadKeys(keyText('k2'));
    const plain = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"partnerName":"Acme"}') };
    const [old] = await new AesGcmPayloadCodec([k1]).encode([plain]);
    const rotated = new AesGcmPayloadCodec([k2, k1]);
    expect(Buffer.from((await rotated.decode([old]))[0].data!).toString()).toBe('{"partnerName":"Acme"}');
    const [fresh] = await rotated.encode([plain]);
    expect(Buffer.from(fresh.metadata![KEY_ID_METADATA]!).toString()).toBe('k2');
    expect(Buffer.from(fresh.data!).includes('Acme')).toBe(false);
    await expect(new AesGcmPayloadCodec([k1]).decode([fresh])).rejects.toThrow(PayloadUnreadable);
    // Payloads written before encryption was on pass through unchanged.
    expect(await rotated.decode([plain])).toEqual([plain]);
  });

  it('compresses a large payload before sealing it, so a compiled definition in a start input costs a fraction in history, and opens it again', async () => {
    const [k1] = parsePayloadKeys(keyText('k1'));
    const codec = new AesGcmPayloadCodec([k1]);
    const definitionLike = JSON.stringify({ steps: Array.from({ length: 60 }, (_, i) => ({ id: `step-${i}`, call: 'email.send', with: { to: '=input.partnerEmail' } })) });
    const big = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(definitionLike) };
    const [sealed] = await codec.encode([big]);
    expect(Buffer.from(sealed.metadata![COMPRESSED_METADATA]!).toString()).toBe('deflate');
    expect(sealed.data!.length).toBeLessThan(definitionLike.length / 4);
    expect(Buffer.from((await codec.decode([sealed]))[0].data!).toString()).toBe(definitionLike);
    // A small payload is sealed as before, without compression.
    const [small] = await codec.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"ok":true}') }]);
    expect(small.metadata![COMPRESSED_METADATA]).toBeUndefined();
  });

  it('generates the embedded default\'s key once, readable by its owner only, and lets PAYLOAD_KEYS override it', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'payload-keys-'));
    expect(payloadKeysFromEnv({}, { dataDir })).toBeUndefined();
    const generated = payloadKeysFromEnv({}, { dataDir, generate: true })!;
    expect(generated.generated).toBe(true);
    expect(statSync(defaultKeyFile(dataDir)).mode & 0o777).toBe(0o600);
    const again = payloadKeysFromEnv({}, { dataDir, generate: true })!;
    expect(again.generated).toBe(false);
    expect(again.keys[0].key.equals(generated.keys[0].key)).toBe(true);
    expect(payloadKeysFromEnv({ PAYLOAD_KEYS: keyText('prod-1') }, { dataDir })!.keys.map((k) => k.id)).toEqual(['prod-1']);
  });
});

describe('sensitive form fields', () => {
  const form = { type: 'object', properties: { user: { type: 'string' }, password: { type: 'string', 'x-sensitive': true }, pin: { type: 'string', 'x-sensitive': true }, keys: { type: 'array', items: { type: 'string', 'x-sensitive': true } } } };

  it('hides remembered values wherever they appear, inside longer texts too, but not very short ones', () => {
    const secrets = new Secrets();
    secrets.remember(form, { user: 'ivy', password: 'correct-horse', pin: '4821', keys: ['api-key-0001'] });
    expect(secrets.masked({ creds: { user: 'ivy', password: 'correct-horse', pin: '4821' }, note: 'sent correct-horse by mail', hash: 'ab4821cd', list: ['api-key-0001'] }))
      .toEqual({ creds: { user: 'ivy', password: MASK, pin: MASK }, note: `sent ${MASK} by mail`, hash: 'ab4821cd', list: [MASK] });
    // Carried across continue-as-new.
    expect(new Secrets(secrets.list()).masked('correct-horse')).toBe(MASK);
    const short = new Secrets();
    short.remember(form, { pin: '12' });
    expect(short.masked({ pin: '12' })).toEqual({ pin: '12' });
  });
});

const onboarding = `
process: credentials-handover
version: 1
title: Hand over portal credentials
business-key: input.partnerKey
roles: { iod: IOD team }
input:
  type: object
  required: [partnerKey, partnerName, partnerEmail]
  properties:
    partnerKey: { type: string }
    partnerName: { type: string }
    partnerEmail: { type: string, format: email }
steps:
  - id: credentials
    task:
      role: iod
      title: Portal credentials for {{ input.partnerName }}
      form:
        type: object
        required: [username, password]
        properties:
          username: { type: string }
          password: { type: string, x-sensitive: true }
      outcomes: { done: {} }
    result: portal
  - id: send
    notify:
      address: "{{ input.partnerEmail }}"
      subject: Your portal account
      text: "User {{ portal.form.username }}, password {{ portal.form.password }}"
  - id: wait
    wait-for: { event: acknowledged, timeout: 30 calendar days }
`;

let env: TestWorkflowEnvironment;
let sandbox: Sandbox;
let bundle: WorkflowBundle;
let definition: CompiledDefinition;

beforeAll(async () => {
  [bundle, sandbox, env, definition] = await Promise.all([bundleWorkflows(), startFakes({}), devServerEnvironment(), compile(onboarding)]);
}, 180_000);

afterAll(async () => {
  await env?.teardown();
  await sandbox?.close();
});

/** A worker and an API holding `keys`, as one deployment of the product would. */
async function deployment(keys: PayloadKey[], uiOrigins: string[] = []) {
  const dataConverter = dataConverterFor(keys);
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, workflowBundle: bundle, activities: startActivities(sandbox.env).activities, dataConverter });
  const running = worker.run();
  const client = new Client({ connection: env.connection, namespace: 'default', dataConverter });
  const api = await startTestApi(client, [definition], { codec: { keys, uiOrigins, roles: ['cam'] } });
  return {
    api,
    key: api.keyFor('ivy.chan'),
    /** Only holders of the codec roles may decode history: here the CAM's (OPS_CODEC_ROLES=cam), by default admin. */
    codecKey: api.keyFor('carla.mendes'),
    async stop() {
      await api.close();
      worker.shutdown();
      await running;
    },
  };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let attempt = 0; attempt < 150; attempt++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function rawHistory(workflowId: string): Promise<temporal.api.history.v1.IHistory> {
  const { history } = await env.connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId } });
  return history!;
}

const keyIdOf = (payload: temporal.api.common.v1.IPayload | undefined) => Buffer.from(payload?.metadata?.[KEY_ID_METADATA] ?? []).toString();

describe('an instance with payload keys set', () => {
  const [k1] = parsePayloadKeys(keyText('k1'));
  const [k2] = parsePayloadKeys(keyText('k2'));
  const secrets = { partnerName: 'Hidden Harbour Trading Ltd', partnerEmail: 'ops@hidden-harbour.example', username: 'hh-portal-admin', password: 'tr0ub4dor&3-portal', comment: 'called the partner to confirm' };
  let workflowId: string;
  let second: Awaited<ReturnType<typeof deployment>>;

  beforeAll(async () => {
    // Written with k1 only.
    const first = await deployment([k1]);
    const started = await call(first.api.url, 'POST', '/processes/credentials-handover/instances', {
      key: first.key,
      body: { input: { partnerKey: 'hh-1', partnerName: secrets.partnerName, partnerEmail: secrets.partnerEmail } },
    });
    expect(started.status).toBe(201);
    workflowId = started.body.workflowId;
    await until(() => call(first.api.url, 'GET', `/instances/${id(workflowId)}`, { key: first.key }), (a) => a.status === 200 && a.body.openTasks.length === 1, 'the credentials task');
    await first.stop();

    // Rotated: k2 in front, k1 still listed. The mail server turns the first attempt away quoting the
    // address, as Postfix does; the retry goes through.
    second = await deployment([k2, k1], ['http://127.0.0.1:8233']);
    sandbox.fake<EmailFake>('email').injectFault({ kind: 'reply', command: 'RCPT', code: 451, message: `4.2.0 <${secrets.partnerEmail}>: Recipient address rejected: mailbox busy, try again later` });
    const task = (await call(second.api.url, 'GET', `/instances/${id(workflowId)}`, { key: second.key })).body.openTasks[0];
    const decided = await call(second.api.url, 'POST', `/instances/${id(workflowId)}/tasks/${encodeURIComponent(task.id)}/decision`, {
      key: second.key,
      body: { outcome: 'done', comment: secrets.comment, form: { username: secrets.username, password: secrets.password } },
    });
    expect(decided.status).toBe(200);
    await until(() => call(second.api.url, 'GET', `/instances/${id(workflowId)}`, { key: second.key }), (a) => a.body.audit?.some((e: { event: string }) => e.event === 'notified' || e.event === 'notify'), 'the e-mail step');
    await until(async () => sandbox.fake<EmailFake>('email').messages, (m) => m.some((mail) => mail.subject === 'Your portal account'), 'the e-mail');
  }, 120_000);

  afterAll(async () => {
    await second?.stop();
  });

  it('keeps no input, decision or form value in clear in the server\'s history', async () => {
    const bytes = Buffer.from(temporal.api.history.v1.History.encode(await rawHistory(workflowId)).finish());
    for (const value of Object.values(secrets)) expect(bytes.includes(value)).toBe(false);
  });

  it('keeps a failure\'s message sealed too: the refused first e-mail attempt reads "Encoded failure" in history', async () => {
    const events = (await rawHistory(workflowId)).events ?? [];
    const failures = events.map((e) => e.activityTaskStartedEventAttributes?.lastFailure).filter((f) => f?.message);
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      expect(failure).toMatchObject({ message: 'Encoded failure', stackTrace: '' });
      expect(keyIdOf(failure!.encodedAttributes!)).toBe('k2');
    }
  });

  it('seals what was written before the rotation with k1 and the decision after it with k2', async () => {
    const events = (await rawHistory(workflowId)).events ?? [];
    const startInput = events.find((e) => e.workflowExecutionStartedEventAttributes)!.workflowExecutionStartedEventAttributes!.input!.payloads![0];
    expect(keyIdOf(startInput)).toBe('k1');
    const update = events.find((e) => e.workflowExecutionUpdateAcceptedEventAttributes)!.workflowExecutionUpdateAcceptedEventAttributes!;
    expect(keyIdOf(update.acceptedRequest!.input!.args!.payloads![0])).toBe('k2');
  });

  it('shows the instance through the API, the sensitive field as •••, while the e-mail activity got the real value', async () => {
    const view = await call(second.api.url, 'GET', `/instances/${id(workflowId)}`, { key: second.key });
    expect(view.status).toBe(200);
    expect(view.body.variables.portal.form).toEqual({ username: secrets.username, password: '•••' });
    expect(view.body.audit.find((e: { event: string }) => e.event === 'decision').comment).toBe(secrets.comment);
    expect(JSON.stringify(view.body)).not.toContain(secrets.password);
    const mail = sandbox.fake<EmailFake>('email').messages.find((m) => m.subject === 'Your portal account')!;
    expect(mail.text).toContain(`password ${secrets.password}`);
  });

  it('replays the encrypted history with the keys, and not without them', async () => {
    const history = await rawHistory(workflowId);
    await expect(Worker.runReplayHistory({ workflowBundle: bundle, dataConverter: dataConverterFor([k2, k1]) }, history, workflowId)).resolves.toBeUndefined();
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId)).rejects.toThrow();
  });

  describe('the codec endpoint for Temporal\'s web UI', () => {
    const startPayload = async () => {
      const events = (await rawHistory(workflowId)).events ?? [];
      const payload = events.find((e) => e.workflowExecutionStartedEventAttributes)!.workflowExecutionStartedEventAttributes!.input!.payloads![0];
      return {
        metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
        data: Buffer.from(payload.data!).toString('base64'),
      };
    };

    it('decodes history payloads for a signed-in holder of a codec role, in the remote codec contract', async () => {
      const answer = await call(second.api.url, 'POST', '/codec/decode', { key: second.codecKey, headers: { 'x-namespace': 'default' }, body: { payloads: [await startPayload()] } });
      expect(answer.status).toBe(200);
      const [decoded] = answer.body.payloads;
      expect(Buffer.from(decoded.metadata.encoding, 'base64').toString()).toBe('json/plain');
      expect(Buffer.from(decoded.data, 'base64').toString()).toContain(secrets.partnerName);
    });

    it('encodes with the current key what decode opens again', async () => {
      const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"typed in the UI"').toString('base64') };
      const encoded = await call(second.api.url, 'POST', '/codec/encode', { key: second.codecKey, body: { payloads: [plain] } });
      expect(encoded.status).toBe(200);
      expect(Buffer.from(encoded.body.payloads[0].metadata[KEY_ID_METADATA], 'base64').toString()).toBe('k2');
      const decoded = await call(second.api.url, 'POST', '/codec/decode', { key: second.codecKey, body: encoded.body });
      expect(decoded.body.payloads).toEqual([plain]);
    });

    it('refuses a signed-in person without a codec role with 403, decoding nothing', async () => {
      const refused = await call(second.api.url, 'POST', '/codec/decode', { key: second.key, body: { payloads: [await startPayload()] } });
      expect(refused.status).toBe(403);
      expect(refused.body.detail).toBe('reading history through the codec needs the role cam; you hold iod');
      expect(JSON.stringify(refused.body)).not.toContain(secrets.partnerName);
    });

    it('refuses anyone not signed in with 401, and names the field of a malformed body', async () => {
      const anonymous = await call(second.api.url, 'POST', '/codec/decode', { body: { payloads: [await startPayload()] } });
      expect(anonymous.status).toBe(401);
      expect(JSON.stringify(anonymous.body)).not.toContain(secrets.partnerName);
      const malformed = await call(second.api.url, 'POST', '/codec/decode', { key: second.codecKey, body: { payloads: [{ data: 'not base64!' }] } });
      expect(malformed.status).toBe(400);
      expect(malformed.body.errors.map((e: { field: string }) => e.field).join(' ')).toContain('payloads');
    });

    it('accepts the inbox cookie from the web UI\'s origin (its "include credentials" setting), and from no other site', async () => {
      const withCookie = async (origin: string) => call(second.api.url, 'POST', '/codec/decode', { headers: { cookie: `${SESSION_COOKIE}=${second.codecKey}`, origin }, body: { payloads: [await startPayload()] } });
      const ui = await withCookie('http://127.0.0.1:8233');
      expect(ui.status).toBe(200);
      expect(ui.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
      expect((await withCookie('https://evil.example')).status).toBe(403);
    });

    it('answers the UI\'s CORS preflight for its origin only', async () => {
      const preflight = (origin: string) => fetch(`${second.api.url}/codec/decode`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace,authorization' },
      });
      const ui = await preflight('http://127.0.0.1:8233');
      expect(ui.status).toBeLessThan(300);
      expect(ui.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
      expect(ui.headers.get('access-control-allow-credentials')).toBe('true');
      expect(ui.headers.get('access-control-allow-headers')).toContain('x-namespace');
      const other = await preflight('https://evil.example');
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('lets the Temporal CLI show the history decoded with the person\'s key, and only ciphertext without it', async () => {
      const startInput = async (...extra: string[]) => {
        const { stdout } = await run(devServerPath(), ['workflow', 'show', '--address', env.address, '--namespace', 'default', '-w', workflowId, '--output', 'json', ...extra]);
        const payload = JSON.parse(stdout).events[0].workflowExecutionStartedEventAttributes.input.payloads[0];
        return { encoding: Buffer.from(payload.metadata.encoding, 'base64').toString(), data: Buffer.from(payload.data, 'base64').toString() };
      };
      const raw = await startInput();
      expect(raw.encoding).toBe('binary/encrypted');
      expect(raw.data).not.toContain(secrets.partnerName);
      const decoded = await startInput('--codec-endpoint', `${second.api.url}/codec`, '--codec-auth', `Bearer ${second.codecKey}`);
      expect(decoded.encoding).toBe('json/plain');
      expect(JSON.parse(decoded.data).input.partnerName).toBe(secrets.partnerName);
    });

    it('is in the OpenAPI document', async () => {
      const document = await call(second.api.url, 'GET', '/openapi.json');
      expect(Object.keys(document.body.paths)).toEqual(expect.arrayContaining(['/codec/decode', '/codec/encode']));
    });
  });
});
