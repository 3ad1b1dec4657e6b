/**
 * The API on a real socket over a real Temporal server, for the end-to-end tests: a people directory of
 * test people, API keys in a temporary file, and helpers that call it the way any client would (fetch).
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApi, type ApiOptions } from '../../api/app';
import { ApiKeyStore } from '../../api/identity/api-keys';
import type { CompiledDefinition } from '../../dsl/compile';
import { Directory, type Person } from '../../directory/model';
import { DEFINITIONS_DIR } from '../../client/definitions';

export const PEOPLE: Person[] = [
  { id: 'ivy.chan', name: 'Ivy Chan', email: 'ivy.chan@example.com', roles: ['iod'] },
  { id: 'ian.ng', name: 'Ian Ng', email: 'ian.ng@example.com', roles: ['iod'] },
  { id: 'carla.mendes', name: 'Carla Mendes', email: 'carla.mendes@example.com', roles: ['cam'] },
];

export interface ApiHarness {
  app: FastifyInstance;
  url: string;
  keys: ApiKeyStore;
  /** A fresh key for a person of the test directory. */
  keyFor(person: string): string;
  /** The person's key, issued on first use and kept: a scenario deciding as the same person many times. */
  keyOf(person: string): string;
  close(): Promise<void>;
}

export async function startTestApi(client: Client, definitions: CompiledDefinition[], overrides: Partial<ApiOptions> = {}): Promise<ApiHarness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ops-api-'));
  const keys = new ApiKeyStore(path.join(dir, 'api-keys.json'));
  const app = await buildApi({
    client,
    registry: new Map(definitions.map((d) => [d.process, d])),
    definitionsDir: DEFINITIONS_DIR,
    directory: new Directory(PEOPLE),
    keys,
    uploadsDir: path.join(dir, 'uploads'),
    maxUploadBytes: 64 * 1024,
    writesPerMinute: 1000,
    webhooks: { routes: { hubspot: {}, jira: {}, partnerstack: {}, jotform: {} } },
    ...overrides,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const issued = new Map<string, string>();
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    keys,
    keyFor: (person) => keys.issue(person).key,
    keyOf: (person) => issued.get(person) ?? issued.set(person, keys.issue(person).key).get(person)!,
    close: () => app.close(),
  };
}

export interface Answer<T = any> {
  status: number;
  type: string;
  body: T;
  headers: Headers;
}

/** One HTTP call; a JSON body is sent as JSON, a FormData as multipart. */
export async function call<T = any>(base: string, method: string, route: string, options: { key?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body: RequestInit['body'];
  if (options.body instanceof FormData) body = options.body;
  else if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  const response = await fetch(`${base}${route}`, { method, headers, body });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, type, body: type.includes('json') && text ? JSON.parse(text) : text, headers: response.headers };
}

export function id(workflowId: string): string {
  return encodeURIComponent(workflowId);
}
