/**
 * Every setting of the product, declared once: its environment variable, what it expects (a zod schema over
 * the variable's text), its default, whether it is a secret, and one line for the README. The settings
 * check (settings/load.ts), `npm run cli -- config` and the README's settings reference
 * (`npx tsx scripts/write-settings-table.ts`, checked by tests/settings.test.ts) are all derived from this list.
 *
 * A connector reads its variables itself (activities/<system>/config.ts) once this check has passed; where a
 * connector's config schema already says what a field expects, the setting reuses that field.
 */
import { z } from 'zod';
import { CxoneConfigSchema } from '../activities/cxone/config';
import { DocuSignConfigSchema } from '../activities/docusign/config';
import { EmailConfigSchema } from '../activities/email/config';
import { HubSpotConfigSchema } from '../activities/hubspot/config';
import { JiraConfigSchema } from '../activities/jira/config';
import { PandaDocConfigSchema } from '../activities/pandadoc/config';
import { PartnerStackConfigSchema } from '../activities/partnerstack/config';
import { SalesforceConfigSchema } from '../activities/salesforce/config';
import { parsePayloadKeys } from '../client/payload-codec';

export const GROUPS = {
  temporal: 'Temporal',
  api: 'API, inbox and files',
  'sign-in': 'Sign-in (OpenID Connect)',
  codec: 'Payload encryption and the codec server',
  operations: 'Logs, metrics, traces, health and shutdown',
  embedded: 'The embedded default (`npm start`)',
  cli: 'The command line',
  hubspot: 'HubSpot',
  partnerstack: 'PartnerStack',
  cxone: 'NICE CXone',
  jira: 'Jira Cloud',
  email: 'E-mail (SMTP)',
  salesforce: 'Salesforce',
  pandadoc: 'PandaDoc',
  docusign: 'DocuSign',
  jotform: 'JotForm',
  tooling: 'Provisioning the Temporal servers',
} as const;
export type Group = keyof typeof GROUPS;

export interface Setting {
  group: Group;
  /** What the variable's text must be, and what it becomes. */
  schema: z.ZodType;
  /** One line for the README and `config`: what it is for. */
  description: string;
  /** What holds when it is not set (words, for people); the schema's own default is what the code uses. */
  fallback?: string;
  /** Never printed, logged or shown: `config` masks it. */
  secret?: boolean;
}

const port = z.coerce.number().int().min(0).max(65535);
const hostPort = z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:/]+):\d{1,5}$/, 'host:port, e.g. temporal.example.com:7233');
const positiveInt = z.coerce.number().int().positive();
const url = z.url();
const path = z.string().min(1);
const text = z.string().min(1);
const bool = z.enum(['true', 'false']);
/** A comma-separated list; each item checked by `item`. */
const list = (item: z.ZodType<unknown, string>) => z.string().transform((value) => value.split(',').map((v) => v.trim()).filter(Boolean)).pipe(z.array(item));
const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const payloadKeys = z.string().superRefine((value, ctx) => {
  try {
    parsePayloadKeys(value);
  } catch (error) {
    // The parser's message names the malformed entry by position and id, never the key material.
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

type Extra = Omit<Setting, 'group' | 'schema' | 'description'>;
// Generic in the schema, so that each setting's parsed type reaches `Settings` (settings/load.ts).
const setting = <S extends z.ZodType>(group: Group, schema: S, description: string, extra: Extra = {}): Setting & { schema: S } => ({ group, schema, description, ...extra });
const secret = <S extends z.ZodType>(group: Group, schema: S, description: string, extra: Omit<Extra, 'secret'> = {}) => setting(group, schema, description, { ...extra, secret: true });

const hubspot = HubSpotConfigSchema.shape;
const partnerstack = PartnerStackConfigSchema.shape;
const cxone = CxoneConfigSchema.shape;
const jira = JiraConfigSchema.shape;
const email = EmailConfigSchema.shape;
const salesforce = SalesforceConfigSchema.shape;
const pandadoc = PandaDocConfigSchema.shape;
const docusign = DocuSignConfigSchema.shape;

export const SETTINGS = {
  // Temporal
  TEMPORAL_ADDRESS: setting('temporal', hostPort, 'the Temporal frontend to use; `npm start` runs the embedded dev server when it is not set', { fallback: '127.0.0.1:7233' }),
  TEMPORAL_NAMESPACE: setting('temporal', text, 'the namespace instances run in', { fallback: 'default' }),
  // These are Temporal's own client variables, read by @temporalio/envconfig (client/temporal-connection.ts).
  TEMPORAL_TLS_CLIENT_CERT_PATH: setting('temporal', path, 'mutual TLS: the certificate file (PEM) the worker and the API present'),
  TEMPORAL_TLS_CLIENT_KEY_PATH: setting('temporal', path, 'mutual TLS: its private key file (PEM)'),
  TEMPORAL_TLS_CLIENT_CERT_DATA: setting('temporal', text, 'the client certificate itself (PEM), instead of a file'),
  TEMPORAL_TLS_CLIENT_KEY_DATA: secret('temporal', text, 'its private key itself (PEM), instead of a file'),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: setting('temporal', path, "the CA certificate file (PEM) the server's certificate is checked against; default the system's"),
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: setting('temporal', text, 'that CA certificate itself (PEM), instead of a file'),
  TEMPORAL_TLS_SERVER_NAME: setting('temporal', text, "the name expected in the server's certificate, when it is not the address's host"),
  TEMPORAL_TLS: setting('temporal', bool, 'TLS without a client certificate (`true`); implied by the client certificate and by TEMPORAL_API_KEY'),
  TEMPORAL_API_KEY: secret('temporal', text, 'an API key (Temporal Cloud), sent as a bearer token over TLS'),
  TEMPORAL_CONFIG_FILE: setting('temporal', path, "a TOML file of Temporal client profiles (Temporal's environment configuration)"),
  TEMPORAL_PROFILE: setting('temporal', text, 'the profile of that file to use'),
  TEMPORAL_TASK_QUEUE: setting('temporal', text, 'the task queue the API starts instances on and the workers poll', { fallback: 'processes' }),
  WORKER_MAX_CACHED_WORKFLOWS: setting('temporal', positiveInt, "instances kept in a worker's memory between their steps (sticky cache)", { fallback: "the SDK's" }),
  WORKER_MAX_CONCURRENT_ACTIVITIES: setting('temporal', positiveInt, 'connector calls one worker runs at once', { fallback: "the SDK's" }),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: setting('temporal', positiveInt, 'workflow steps one worker runs at once', { fallback: "the SDK's" }),
  WORKER_WORKFLOW_POLLERS: setting('temporal', positiveInt, 'long polls for workflow tasks a worker keeps open', { fallback: "the SDK's" }),
  WORKER_ACTIVITY_POLLERS: setting('temporal', positiveInt, 'long polls for activity tasks a worker keeps open', { fallback: "the SDK's" }),

  // API, inbox, files
  OPS_API_HOST: setting('api', text, 'the address the API listens on', { fallback: '127.0.0.1' }),
  OPS_API_PORT: setting('api', port, 'the port the API listens on (0: any free port)', { fallback: '4100' }),
  OPS_API_RATE_LIMIT: setting('api', positiveInt, 'write requests allowed per credential per minute', { fallback: '120' }),
  OPS_API_KEYS_FILE: setting('api', path, 'where API keys are kept, hashed', { fallback: '.data/api-keys.json' }),
  OPS_UPLOADS_DIR: setting('api', path, 'where uploaded form files are kept (the worker reads them there too)', { fallback: '.data/uploads' }),
  OPS_MAX_UPLOAD_BYTES: setting('api', positiveInt, 'the largest upload, in bytes', { fallback: '10485760' }),
  OPS_PUBLIC_URL: setting('api', url, 'the address vendors call with webhooks (HubSpot signs the full URL), e.g. https://ops.example.com'),
  INBOX_URL: setting('api', url, "the web inbox's base URL, for the links in task e-mails", { fallback: 'http://127.0.0.1:4100' }),
  WEBHOOKS_FILE: setting('api', path, 'which webhook deliveries start or reach which process', { fallback: 'config/webhooks.yaml' }),
  PEOPLE_FILE: setting('api', path, 'the people directory', { fallback: 'config/people.yaml' }),

  // Sign-in
  OIDC_ISSUER: setting('sign-in', url, 'accept OpenID Connect tokens from this issuer (needs OIDC_AUDIENCE)'),
  OIDC_AUDIENCE: setting('sign-in', text, 'the audience (client id) those tokens are issued for'),
  OIDC_JWKS_URL: setting('sign-in', url, "the issuer's key set, when its discovery document should not be used"),
  OIDC_PERSON_CLAIM: setting('sign-in', text, 'the claim naming the person (matched to the directory by e-mail, then id)', { fallback: 'email' }),
  OIDC_ROLES_CLAIM: setting('sign-in', text, "a claim listing the person's roles: when set, the identity provider decides the roles"),

  // Payload encryption
  PAYLOAD_KEYS: secret('codec', payloadKeys, '`id:<base64 of 32 bytes>`, comma-separated: the first seals new payloads, every one opens old ones', { fallback: 'the key in .data/payload-keys' }),
  TEMPORAL_UI_ORIGINS: setting('codec', list(url), 'web UI origins allowed to call the codec endpoints, comma-separated', { fallback: 'http://127.0.0.1:8233, http://localhost:8233' }),
  OPS_CODEC_ROLES: setting('codec', list(text), 'the roles whose holders may decode history through the codec endpoints (which shows sensitive fields too), comma-separated', { fallback: 'admin' }),

  // Operations
  LOG_LEVEL: setting('operations', logLevel, 'how much the API, the worker and the Temporal SDK log, as JSON lines (readable ones on a terminal)', { fallback: 'info' }),
  OPS_WORKER_HOST: setting('operations', text, "the address of the worker's health and metrics port", { fallback: '127.0.0.1' }),
  OPS_WORKER_PORT: setting('operations', port, "the worker's port for /healthz, /readyz and /metrics (0: any free port)", { fallback: '4101, or a free port when it is taken' }),
  OPS_SDK_METRICS_PORT: setting('operations', port, "where the worker's Temporal SDK metrics are served for Prometheus (/metrics; 0: off)", { fallback: '4102 (off when it is taken)' }),
  OPS_SHUTDOWN_GRACE_MS: setting('operations', positiveInt, 'after SIGTERM, how long running activities and requests may take to finish', { fallback: '30000' }),
  OPS_WORKFLOW_STACK_TRACES: setting('operations', bool, "JavaScript stack traces inside workflows (`true`), for debugging the interpreter: in workflow failures and Temporal's stack trace query, a replay then takes about 1.8× as long (bench variant `stack-traces`)", { fallback: 'false' }),
  OTEL_EXPORTER_OTLP_ENDPOINT: setting('operations', url, 'send traces over OTLP/HTTP to this collector (e.g. http://collector:4318); no traces without it'),
  OTEL_SERVICE_NAME: setting('operations', text, 'the service name on those traces', { fallback: 'partner-ops-api, partner-ops-worker' }),

  // The embedded default
  OPS_DATA_DIR: setting('embedded', path, "the data folder: the dev server's SQLite file, pid files, the fakes' data, keys and uploads", { fallback: '.data' }),
  TEMPORAL_DEV_SERVER_PORT: setting('embedded', port, "the embedded dev server's frontend port", { fallback: '7233' }),
  TEMPORAL_UI_PORT: setting('embedded', port, "the embedded dev server's web UI port", { fallback: '8233' }),
  FAKES_PORT: setting('embedded', port, 'the first of the local fakes\' fixed ports, one per system (0: any free ports)', { fallback: '4110' }),

  // CLI
  OPS_API_URL: setting('cli', url, 'the API the CLI calls', { fallback: 'http://127.0.0.1:4100' }),
  OPS_API_KEY: secret('cli', text, 'your API key, for the CLI'),

  // HubSpot
  HUBSPOT_ACCESS_TOKEN: secret('hubspot', hubspot.accessToken, 'private app token (CRM objects, CRM schema write, files): configures HubSpot'),
  HUBSPOT_BASE_URL: setting('hubspot', hubspot.baseUrl, 'the API address', { fallback: 'https://api.hubapi.com' }),
  HUBSPOT_WEBHOOK_SECRET: secret('hubspot', hubspot.webhookSecret, "the app's client secret: verifies webhook signatures"),
  HUBSPOT_TIMEOUT_MS: setting('hubspot', hubspot.timeoutMs, 'how long one call may take', { fallback: '15000' }),

  // PartnerStack
  PARTNERSTACK_API_KEY: secret('partnerstack', partnerstack.publicKey, 'the public key: configures PartnerStack (with the secret)'),
  PARTNERSTACK_API_SECRET: secret('partnerstack', partnerstack.secretKey, 'the secret key'),
  PARTNERSTACK_BASE_URL: setting('partnerstack', partnerstack.baseUrl, 'the API address', { fallback: 'https://api.partnerstack.com/api' }),
  PARTNERSTACK_WEBHOOK_TOKEN: secret('partnerstack', partnerstack.webhookToken, 'the secret in the webhook URL (16 characters at least)'),
  PARTNERSTACK_TIMEOUT_MS: setting('partnerstack', partnerstack.timeoutMs, 'how long one call may take', { fallback: '15000' }),

  // NICE CXone
  CXONE_ACCESS_KEY_ID: secret('cxone', cxone.accessKeyId, 'the access key id: configures CXone'),
  CXONE_ACCESS_KEY_SECRET: secret('cxone', cxone.accessKeySecret, 'the access key secret'),
  CXONE_CLIENT_ID: setting('cxone', cxone.clientId, 'the registered application'),
  CXONE_CLIENT_SECRET: secret('cxone', cxone.clientSecret, "the application's secret"),
  CXONE_ISSUER_URL: setting('cxone', cxone.issuerUrl, 'its OpenID configuration names the token endpoint', { fallback: 'https://cxone.niceincontact.com' }),
  CXONE_EMAIL_CHANNEL_ID: setting('cxone', cxone.emailChannelId, 'the e-mail channel contacts are created on'),
  CXONE_TIMEOUT_MS: setting('cxone', cxone.timeoutMs, 'how long one call may take', { fallback: '15000' }),

  // Jira
  JIRA_HOST: setting('jira', jira.host, 'the site, e.g. https://example.atlassian.net: configures Jira'),
  JIRA_EMAIL: setting('jira', jira.email, 'the account the API token belongs to'),
  JIRA_API_TOKEN: secret('jira', jira.apiToken, 'its API token'),
  JIRA_WEBHOOK_SECRET: secret('jira', jira.webhookSecret, 'verifies webhook signatures (also given to webhooks registered with jira.registerWebhook)'),
  JIRA_SEARCH_LAG_MS: setting('jira', jira.searchLagMs, 'how long a retried create keeps looking for its issue while search lags', { fallback: '5000' }),
  JIRA_TIMEOUT_MS: setting('jira', jira.timeoutMs, 'how long one call may take', { fallback: '15000' }),

  // E-mail
  SMTP_HOST: setting('email', email.host, 'the mail server: configures e-mail'),
  SMTP_PORT: setting('email', email.port, 'its port', { fallback: '587' }),
  SMTP_SECURE: setting('email', bool, 'TLS from the first byte (port 465); otherwise STARTTLS when offered'),
  SMTP_USER: setting('email', email.user, 'the account to sign in with (with SMTP_PASSWORD)'),
  SMTP_PASSWORD: secret('email', email.password, 'its password'),
  EMAIL_FROM: setting('email', email.from, 'the sender address'),
  SMTP_TIMEOUT_MS: setting('email', email.timeoutMs, 'how long one send may take', { fallback: '30000' }),

  // Salesforce
  SALESFORCE_CLIENT_ID: setting('salesforce', salesforce.clientId, 'the connected app (client-credentials flow): configures Salesforce'),
  SALESFORCE_CLIENT_SECRET: secret('salesforce', salesforce.clientSecret, "the connected app's secret"),
  SALESFORCE_LOGIN_URL: setting('salesforce', salesforce.loginUrl, "the org's My Domain URL"),
  SALESFORCE_API_VERSION: setting('salesforce', salesforce.apiVersion, 'the REST API version', { fallback: '62.0' }),
  SALESFORCE_EXTERNAL_ID_FIELD: setting('salesforce', salesforce.externalIdField, 'the unique External ID field on Case and Task holding the step key', { fallback: 'WF_Key__c' }),
  SALESFORCE_TIMEOUT_MS: setting('salesforce', salesforce.timeoutMs, 'how long one call may take', { fallback: '15000' }),

  // PandaDoc
  PANDADOC_API_KEY: secret('pandadoc', pandadoc.apiKey, 'the API key: configures PandaDoc'),
  PANDADOC_BASE_URL: setting('pandadoc', pandadoc.baseUrl, 'the API address', { fallback: 'https://api.pandadoc.com' }),
  PANDADOC_WEBHOOK_KEY: secret('pandadoc', pandadoc.webhookKey, "the webhook subscription's shared key"),
  PANDADOC_TIMEOUT_MS: setting('pandadoc', pandadoc.timeoutMs, 'how long one call may take', { fallback: '15000' }),

  // DocuSign
  DOCUSIGN_INTEGRATION_KEY: setting('docusign', docusign.integrationKey, 'the integration key (JWT grant, consented once): configures DocuSign'),
  DOCUSIGN_USER_ID: setting('docusign', docusign.userId, 'the API user the integration acts as'),
  DOCUSIGN_PRIVATE_KEY: secret('docusign', docusign.privateKey, 'PEM of the RSA private key, `\\n` for line breaks'),
  DOCUSIGN_OAUTH_URL: setting('docusign', docusign.oauthUrl, 'the OAuth address', { fallback: 'https://account-d.docusign.com (demo)' }),
  DOCUSIGN_ACCOUNT_ID: setting('docusign', docusign.accountId, "the account; default the user's default account"),
  DOCUSIGN_CONNECT_KEYS: secret('docusign', list(text), 'Connect HMAC keys, comma-separated'),
  DOCUSIGN_TIMEOUT_MS: setting('docusign', docusign.timeoutMs, 'how long one call may take', { fallback: '15000' }),

  // JotForm
  JOTFORM_API_KEY: secret('jotform', text, 'the API key: configures JotForm'),
  JOTFORM_REGION: setting('jotform', z.enum(['us', 'eu', 'hipaa']), "the account's region: us, eu or hipaa", { fallback: 'eu' }),
  JOTFORM_BASE_URL: setting('jotform', url, "overrides the region's API address"),
  JOTFORM_FORM_IDS: setting('jotform', list(z.string().regex(/^\d+$/, 'a numeric JotForm form id')), 'the forms allowed to start a process, comma-separated'),
  JOTFORM_WEBHOOK_TOKEN: secret('jotform', z.string().min(16), 'the secret in the webhook URL (16 characters at least)'),
  JOTFORM_TIMEOUT_MS: setting('jotform', positiveInt, 'how long one call may take', { fallback: '15000' }),

  // Tooling
  TEMPORAL_CLI_PATH: setting('tooling', path, 'a Temporal CLI to use instead of the provisioned one (the dev server)'),
  TEMPORAL_TEST_SERVER_PATH: setting('tooling', path, "a time-skipping test server to use instead of the provisioned one (the tests')"),
  TEMPORAL_CLUSTER_CACHE: setting('tooling', path, "where `npm run test:cluster` keeps the cluster's binaries and database", { fallback: '.tools/cluster' }),
  FUZZ_RUNS: setting('tooling', positiveInt, 'inputs `npm run fuzz` feeds the definition compiler', { fallback: '20000 (2000 in npm test)' }),
  FUZZ_SEED: setting('tooling', z.coerce.number().int(), 'repeats a fuzz run (its seed is printed at the start)'),
  CHAOS_INSTANCES: setting('tooling', positiveInt, 'instances `npm run chaos` drives', { fallback: '20' }),
  CHAOS_KILLS: setting('tooling', z.coerce.number().int().min(0), 'worker SIGKILLs during the chaos run', { fallback: '4' }),
  CHAOS_FAULT_RATE: setting('tooling', z.coerce.number().min(0).max(1), 'share of vendor calls the fakes answer 429 or 503 during the chaos run', { fallback: '0.2' }),
  CHAOS_VERBOSE: setting('tooling', text, "set to anything: the chaos run shows its workers' and fakes' output"),
  SETTINGS_FILE: setting('tooling', path, 'a YAML file of settings (`NAME: value`); the environment wins over it'),
} satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

/** Settings that only make sense together: when `when` is set (any of them), each of `needs` must be too. */
export const REQUIRED_TOGETHER: ReadonlyArray<{ when: SettingName[]; needs: SettingName[]; why: string }> = [
  { when: ['TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_KEY_PATH'], needs: ['TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_KEY_PATH'], why: 'a client certificate needs its key' },
  { when: ['OIDC_ISSUER'], needs: ['OIDC_AUDIENCE'], why: 'tokens are checked for their audience' },
  { when: ['PARTNERSTACK_API_KEY', 'PARTNERSTACK_API_SECRET'], needs: ['PARTNERSTACK_API_KEY', 'PARTNERSTACK_API_SECRET'], why: 'PartnerStack signs in with both keys' },
  { when: ['CXONE_ACCESS_KEY_ID'], needs: ['CXONE_ACCESS_KEY_SECRET', 'CXONE_CLIENT_ID', 'CXONE_CLIENT_SECRET'], why: 'CXone signs in with the access key and the application' },
  { when: ['JIRA_HOST'], needs: ['JIRA_EMAIL', 'JIRA_API_TOKEN'], why: 'Jira signs in with an account and its API token' },
  { when: ['SMTP_HOST'], needs: ['EMAIL_FROM'], why: 'every message needs a sender' },
  { when: ['SMTP_USER', 'SMTP_PASSWORD'], needs: ['SMTP_USER', 'SMTP_PASSWORD'], why: 'SMTP signs in with both' },
  { when: ['SALESFORCE_CLIENT_ID'], needs: ['SALESFORCE_CLIENT_SECRET', 'SALESFORCE_LOGIN_URL'], why: 'the client-credentials flow needs the secret and the My Domain URL' },
  { when: ['DOCUSIGN_INTEGRATION_KEY'], needs: ['DOCUSIGN_USER_ID', 'DOCUSIGN_PRIVATE_KEY'], why: 'the JWT grant is signed for a user with the private key' },
  { when: ['PARTNERSTACK_WEBHOOK_TOKEN'], needs: ['PARTNERSTACK_API_KEY', 'PARTNERSTACK_API_SECRET'], why: 'each delivery is re-read through PartnerStack' },
  { when: ['JOTFORM_WEBHOOK_TOKEN'], needs: ['JOTFORM_API_KEY'], why: 'each submission is re-read through JotForm' },
];

/** The product's variables are told from others (PATH, HOME, ...) by these prefixes: an unknown one is probably a typo. */
export const SETTING_PREFIXES = ['OPS_', 'TEMPORAL_', 'WORKER_', 'OIDC_', 'OTEL_', 'HUBSPOT_', 'PARTNERSTACK_', 'CXONE_', 'JIRA_', 'SMTP_', 'SALESFORCE_', 'PANDADOC_', 'DOCUSIGN_', 'JOTFORM_'];
