/**
 * How the worker and the API find Temporal outside the embedded default: Temporal's standard client
 * variables, and the worker settings that matter on a cluster. (`npm run test:cluster` connects the real
 * processes with these variables to a server that requires client certificates.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectClient, temporalSettingsFromEnv } from '../client/temporal-connection';
import { workerTuningFromEnv } from '../client/worker-settings';

const dir = mkdtempSync(path.join(tmpdir(), 'temporal-connection-'));
const pem = (name: string, body: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, `-----BEGIN ${body}-----\n${name}\n-----END ${body}-----\n`);
  return file;
};
// No TOML profile of the machine running the tests may leak in.
const base = { TEMPORAL_CONFIG_FILE: path.join(dir, 'absent.toml') };

describe('where Temporal is', () => {
  it('defaults to the embedded dev server: 127.0.0.1:7233, namespace default, no TLS', () => {
    const settings = temporalSettingsFromEnv(base);
    expect(settings).toMatchObject({ address: '127.0.0.1:7233', namespace: 'default', security: 'no TLS' });
    expect(settings.connection.tls).toBeFalsy();
  });

  it('uses mutual TLS from the certificate files Temporal\'s variables name, checking the server name given', () => {
    const env = {
      ...base,
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_NAMESPACE: 'partner-ops',
      TEMPORAL_TLS_CLIENT_CERT_PATH: pem('client.pem', 'CERTIFICATE'),
      TEMPORAL_TLS_CLIENT_KEY_PATH: pem('client.key', 'PRIVATE KEY'),
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: pem('ca.pem', 'CERTIFICATE'),
      TEMPORAL_TLS_SERVER_NAME: 'frontend.temporal.internal',
    };
    const settings = temporalSettingsFromEnv(env);
    expect(settings).toMatchObject({ address: 'temporal.internal:7233', namespace: 'partner-ops', security: 'TLS with a client certificate' });
    const tls = settings.connection.tls as { serverNameOverride?: string; serverRootCACertificate?: Uint8Array; clientCertPair?: { crt: Uint8Array; key: Uint8Array } };
    expect(tls.serverNameOverride).toBe('frontend.temporal.internal');
    expect(Buffer.from(tls.serverRootCACertificate!).toString()).toContain('ca.pem');
    expect(Buffer.from(tls.clientCertPair!.crt).toString()).toContain('client.pem');
    expect(Buffer.from(tls.clientCertPair!.key).toString()).toContain('client.key');
  });

  it('turns TLS on with a Temporal Cloud API key, and never shows the key in what it reports', () => {
    const settings = temporalSettingsFromEnv({ ...base, TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233', TEMPORAL_NAMESPACE: 'ops.a1b2c', TEMPORAL_API_KEY: 'secret-key-value' });
    expect(settings.security).toBe('TLS, an API key');
    expect(settings.connection.tls).toBeTruthy();
    expect(settings.connection.apiKey).toBe('secret-key-value');
    expect(JSON.stringify({ address: settings.address, namespace: settings.namespace, security: settings.security })).not.toContain('secret-key-value');
  });

  it('an address given by the caller (the dev server `npm start` started) wins over TEMPORAL_ADDRESS', () => {
    expect(temporalSettingsFromEnv({ ...base, TEMPORAL_ADDRESS: 'elsewhere:7233' }, '127.0.0.1:7300').address).toBe('127.0.0.1:7300');
  });

  it('a server that cannot be reached is reported with the address, the namespace and what to check, without the API key', async () => {
    const settings = temporalSettingsFromEnv({ ...base, TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPORAL_NAMESPACE: 'partner-ops', TEMPORAL_API_KEY: 'secret-key-value' });
    const error = (await connectClient(settings).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/^cannot connect to Temporal at 127\.0\.0\.1:1 \(namespace partner-ops, TLS, an API key\): .+\. HINT: check TEMPORAL_ADDRESS, that TEMPORAL_TLS_SERVER_CA_CERT_PATH holds the CA/);
    expect(error.message).not.toContain('secret-key-value');
  }, 30_000);
});

describe('worker settings', () => {
  it('passes the cache, concurrency and poller settings to the SDK under its option names', () => {
    expect(workerTuningFromEnv({ WORKER_MAX_CACHED_WORKFLOWS: '500', WORKER_MAX_CONCURRENT_ACTIVITIES: '20', WORKER_WORKFLOW_POLLERS: '4' })).toEqual({
      maxCachedWorkflows: 500,
      maxConcurrentActivityTaskExecutions: 20,
      maxConcurrentWorkflowTaskPolls: 4,
    });
    expect(workerTuningFromEnv({})).toEqual({});
  });

  it('reports every wrong setting at once, naming the variable and what it expects', () => {
    expect(() => workerTuningFromEnv({ WORKER_MAX_CACHED_WORKFLOWS: 'lots', WORKER_ACTIVITY_POLLERS: '0', WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '2.5' })).toThrow(
      [
        'wrong worker settings:',
        "WORKER_MAX_CACHED_WORKFLOWS: expected a positive whole number, got 'lots'",
        "WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: expected a positive whole number, got '2.5'",
        "WORKER_ACTIVITY_POLLERS: expected a positive whole number, got '0'",
      ].join('\n'),
    );
  });
});
