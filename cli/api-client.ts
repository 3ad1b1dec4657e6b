/**
 * How the CLI talks to the API: `OPS_API_URL` (default http://127.0.0.1:4100) with the key in
 * `OPS_API_KEY`. An unreachable server or a refusal becomes one plain sentence, never a Node stack.
 */
import { connect } from 'node:net';
import { PlainError } from './command';

export const DEFAULT_API_URL = 'http://127.0.0.1:4100';
const CONNECT_TIMEOUT_MS = 3000;
const REQUEST_TIMEOUT_MS = 60_000;

export interface ApiRefusal {
  status: number;
  title?: string;
  detail?: string;
  errors?: { field: string; message: string }[];
}

/** Thrown when the API answers with a problem: the CLI prints it and exits with status 1. */
export class ApiRefused extends PlainError {
  constructor(readonly problem: ApiRefusal) {
    const fields = problem.errors?.length ? `\n${problem.errors.map((e) => `  ${e.field}: ${e.message}`).join('\n')}` : '';
    super(`${problem.status} ${problem.title ?? 'refused'}: ${problem.detail ?? ''}${fields}`);
  }
}

export function apiUrl(env = process.env): string {
  return (env.OPS_API_URL || DEFAULT_API_URL).replace(/\/$/, '');
}

export async function api<T = unknown>(method: string, route: string, body?: unknown, env = process.env): Promise<T> {
  const base = apiUrl(env);
  const key = env.OPS_API_KEY;
  if (!key) throw new PlainError('set OPS_API_KEY to your API key (an administrator issues one with `npm run cli -- keys issue <person>`)');
  await reachable(base);
  let response: Response;
  try {
    response = await fetch(`${base}${route}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw new PlainError(`cannot reach the ops API at ${base}: ${reason(error)} (is \`npm start\` running? set OPS_API_URL to its address)`);
  }
  const text = await response.text();
  const parsed = text ? safeJson(text) : undefined;
  if (!response.ok) {
    const isProblem = (response.headers.get('content-type') ?? '').includes('application/problem+json');
    if (!isProblem) throw new PlainError(`the server at ${base} answered ${response.status} and is not the ops API (check OPS_API_URL)`);
    throw new ApiRefused({ status: response.status, ...(parsed as object) });
  }
  return parsed as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (cause?.code === 'ENOTFOUND') return 'no such host';
  if ((error as Error)?.name === 'TimeoutError') return 'no answer in time';
  return cause?.message ?? (error as Error)?.message ?? String(error);
}

export function encode(workflowId: string): string {
  return encodeURIComponent(workflowId);
}

/** fetch waits ten seconds for a silent host; a plain TCP connect with a short timeout says so sooner. */
async function reachable(base: string): Promise<void> {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new PlainError(`OPS_API_URL is not a URL: ${base}`);
  }
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port, timeout: CONNECT_TIMEOUT_MS });
    const fail = (why: string) => {
      socket.destroy();
      reject(new PlainError(`cannot reach the ops API at ${base}: ${why} (is \`npm start\` running? set OPS_API_URL to its address)`));
    };
    socket.once('connect', () => (socket.end(), resolve()));
    socket.once('timeout', () => fail(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`));
    socket.once('error', (error: NodeJS.ErrnoException) => fail(error.code === 'ECONNREFUSED' ? 'connection refused' : error.code === 'ENOTFOUND' ? 'no such host' : error.message));
  });
}
