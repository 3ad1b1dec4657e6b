/**
 * Health for orchestrators. `/healthz`: the process is alive and not draining. `/readyz`: Temporal answers,
 * the namespace exists, the project's search attributes are registered there, and (on the worker) the
 * worker is polling; 503 with the failing checks otherwise, and from the moment SIGTERM starts a drain.
 * The API serves both as routes; the worker serves them, and `/metrics`, on a small port of its own.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { temporal } from '@temporalio/proto';
import type { Registry } from 'prom-client';
import { searchAttributes } from '../workflows/messages';

export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface Readiness {
  ready: boolean;
  checks: Check[];
}

/** What the checks need of a connection: the client's and the worker's both have these services. */
export interface TemporalServices {
  workflowService: Pick<temporal.api.workflowservice.v1.WorkflowService, 'describeNamespace'>;
  operatorService: Pick<temporal.api.operatorservice.v1.OperatorService, 'listSearchAttributes'>;
}

/** Temporal reachable, namespace present, search attributes registered; plus any `extra` checks. */
export async function checkReadiness(services: TemporalServices, namespace: string, extra: Check[] = []): Promise<Readiness> {
  const checks: Check[] = [];
  try {
    await services.workflowService.describeNamespace({ namespace });
    checks.push({ name: 'temporal', ok: true }, { name: 'namespace', ok: true, detail: namespace });
    const listed = await services.operatorService.listSearchAttributes({ namespace });
    const registered = new Set(Object.keys(listed.customAttributes ?? {}));
    const missing = Object.values(searchAttributes).map((key) => key.name).filter((name) => !registered.has(name));
    checks.push({ name: 'search-attributes', ok: !missing.length, detail: missing.length ? `missing: ${missing.join(', ')}` : undefined });
  } catch (error) {
    // NOT_FOUND (5) is a missing namespace; anything else means the server did not answer as it should.
    const notFound = (error as { code?: number }).code === 5;
    checks.push(notFound ? { name: 'temporal', ok: true } : { name: 'temporal', ok: false, detail: (error as Error).message });
    checks.push({ name: 'namespace', ok: false, detail: notFound ? `namespace '${namespace}' does not exist` : 'not checked' });
  }
  checks.push(...extra);
  return { ready: checks.every((c) => c.ok), checks };
}

export interface HealthServer {
  url: string;
  close(): Promise<void>;
}

/** The worker's port: `/healthz`, `/readyz` (from `readiness`) and `/metrics` (from `registry`). */
/**
 * `port` undefined: `preferred` when it is free, else any free port, so that a second worker on one machine
 * with the defaults still starts (its start-up line says where it listens). A port given is used or refused.
 */
export async function serveHealth(options: { host: string; port: number | undefined; preferred: number; readiness: () => Promise<Readiness>; draining: () => boolean; registry: Registry }): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const send = (status: number, body: unknown, type = 'application/json') => {
      response.writeHead(status, { 'content-type': type });
      response.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const route = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET') return send(405, { error: 'only GET' });
    if (route === '/healthz') return options.draining() ? send(503, { status: 'draining' }) : send(200, { status: 'ok' });
    if (route === '/readyz') {
      if (options.draining()) return send(503, { ready: false, checks: [{ name: 'draining', ok: false, detail: 'shutting down' }] });
      return void options.readiness().then((r) => send(r.ready ? 200 : 503, r), (error: Error) => send(503, { ready: false, checks: [{ name: 'readiness', ok: false, detail: error.message }] }));
    }
    if (route === '/metrics') {
      return void options.registry.metrics().then((text) => send(200, text, options.registry.contentType), (error: Error) => send(500, { error: error.message }));
    }
    send(404, { error: `no route ${route}; try /healthz, /readyz or /metrics` });
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    await listen(options.port ?? options.preferred);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    if (options.port !== undefined) throw new Error(`port ${options.port} is already in use: stop what uses it, or set OPS_WORKER_PORT`);
    await listen(0);
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
