/**
 * The real Temporal server (go.temporal.io/server, every service in one process) on the test's PostgreSQL,
 * with SQL visibility and mutual TLS on its frontend: a client must present a certificate signed by the
 * test's CA. Unlike the dev server it creates no namespace: this registers one, with the project's search
 * attributes, and waits until both answer.
 */
import { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { spawn } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { searchAttributes } from '../../workflows/messages';
import type { Certificates } from './certificates';
import type { RunningPostgres } from './postgres';

const { IndexedValueType } = temporal.api.enums.v1;
const INDEXED_TYPE: Partial<Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType>> = {
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.KEYWORD_LIST]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  [SearchAttributeType.DATETIME]: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

export interface ServerPorts {
  frontend: number;
  frontendHttp: number;
  /** gRPC and membership ports of the four services. */
  internal: number[];
}

export interface RunningTemporalServer {
  address: string;
  namespace: string;
  logFile: string;
  stop(): Promise<void>;
}

function serverConfig(postgres: RunningPostgres, certs: Certificates, ports: ServerPorts, dynamicConfigFile: string) {
  const datastore = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12', databaseName, connectAddr: `127.0.0.1:${postgres.port}`, connectProtocol: 'tcp',
      user: postgres.user, password: '', maxConns, maxIdleConns: maxConns, maxConnLifetime: '1h',
    },
  });
  const [historyGrpc, historyMembership, matchingGrpc, matchingMembership, workerGrpc, workerMembership, frontendMembership] = ports.internal;
  const rpc = (grpcPort: number, membershipPort: number, extra: object = {}) => ({ rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra } });
  const frontendClient = { serverName: certs.serverName, rootCaFiles: [certs.caCert] };
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'default',
      visibilityStore: 'visibility',
      numHistoryShards: 4,
      datastores: { default: datastore(postgres.databases.persistence, 20), visibility: datastore(postgres.databases.visibility, 10) },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      tls: {
        // Mutual TLS on the frontend only; the services inside the one process talk in the clear.
        frontend: {
          server: { certFile: certs.serverCert, keyFile: certs.serverKey, clientCaFiles: [certs.caCert], requireClientAuth: true },
          client: frontendClient,
        },
        // The server's own system worker connects to the frontend too: without a certificate it is refused
        // and the server exits about a minute after start.
        systemWorker: { certFile: certs.clientCert, keyFile: certs.clientKey, client: frontendClient },
      },
    },
    services: {
      frontend: rpc(ports.frontend, frontendMembership, { httpPort: ports.frontendHttp }),
      history: rpc(historyGrpc, historyMembership),
      matching: rpc(matchingGrpc, matchingMembership),
      worker: rpc(workerGrpc, workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `localhost:${ports.frontend}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
  };
}

/** A client connection with the test's client certificate, as the product's processes connect. */
export function tlsConnect(address: string, certs: Certificates, connectTimeout?: number): Promise<Connection> {
  return Connection.connect({
    address,
    connectTimeout,
    tls: {
      serverNameOverride: certs.serverName,
      serverRootCACertificate: readFileSync(certs.caCert),
      clientCertPair: { crt: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) },
    },
  });
}

export async function startTemporalServer(options: {
  binary: string;
  runDir: string;
  postgres: RunningPostgres;
  certs: Certificates;
  ports: ServerPorts;
  namespace: string;
}): Promise<RunningTemporalServer> {
  const { runDir, certs, namespace } = options;
  const dynamicConfigFile = path.join(runDir, 'dynamicconfig.yaml');
  writeFileSync(
    dynamicConfigFile,
    stringify({
      // The machines here cannot reach the version-check service.
      'frontend.enableServerVersionCheck': [{ value: false }],
      // Search attributes added a moment ago are used at once, instead of after the cache's refresh.
      'system.forceSearchAttributesCacheRefreshOnRead': [{ value: true }],
    }),
  );
  const configFile = path.join(runDir, 'temporal-server.yaml');
  writeFileSync(configFile, stringify(serverConfig(options.postgres, certs, options.ports, dynamicConfigFile)));
  const logFile = path.join(runDir, 'temporal-server.log');
  const log = openSync(logFile, 'a');
  const child = spawn(options.binary, ['--config-file', configFile, '--allow-no-auth', 'start'], { stdio: ['ignore', log, log] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  const address = `127.0.0.1:${options.ports.frontend}`;
  try {
    const connection = await untilAnswered(address, certs, exited, logFile);
    try {
      await registerNamespace(connection, namespace);
    } finally {
      await connection.close();
    }
    return { address, namespace, logFile, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function untilAnswered(address: string, certs: Certificates, exited: Promise<number | null>, logFile: string): Promise<Connection> {
  let code: number | null | undefined;
  void exited.then((c) => (code = c));
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (code !== undefined) throw new Error(`the Temporal server exited (${code}) during start-up; see ${logFile}`);
    try {
      const connection = await tlsConnect(address, certs, 2000);
      await connection.workflowService.getSystemInfo({});
      return connection;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  throw new Error(`the Temporal server at ${address} did not answer within 120 s; see ${logFile}`);
}

/** The namespace, then the search attributes the interpreter sets, each waited for until the server has it. */
async function registerNamespace(connection: Connection, namespace: string): Promise<void> {
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  await until(async () => {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  }, `namespace ${namespace}`);
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(Object.values(searchAttributes).map((key) => [key.name, INDEXED_TYPE[key.type]!])),
  });
  await until(async () => {
    const listed = await connection.operatorService.listSearchAttributes({ namespace });
    return Object.values(searchAttributes).every((key) => key.name in (listed.customAttributes ?? {}));
  }, 'the search attributes');
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
