/**
 * The contract format: what a vendor's API accepts and answers, for the operations this project uses,
 * written down from the vendor's published documents, each fact with its source.
 *
 * A contract is the one thing a connector's tests and its fake both read:
 *   - the fake serves exactly the contract's operations (`serveContract` in fake-kit.ts), and refuses, in
 *     the vendor's error shape, what the vendor would refuse: an unknown path or method, a query parameter
 *     the vendor does not document, a body field of the wrong type or a missing one, the wrong auth scheme;
 *   - every answer the fake gives is checked against the operation's `response` schema (and the error shape
 *     against `errorShape`); a mismatch is journalled as a breach, which the tests assert never happens.
 *
 * Strictness on purpose: where a real vendor silently ignores an undocumented query parameter, the fake
 * refuses it, so a connector that relies on an undocumented filter fails in the tests instead of getting
 * unfiltered data in production.
 */
import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Where a fact comes from: the vendor's document (title or URL) and its section. */
export type Source = string;

/**
 * How a request proves who it is. `none`: public (e.g. OpenID discovery). The fake supplies the check of the
 * credentials themselves; the contract only fixes the scheme.
 */
export type AuthScheme = 'bearer' | 'basic' | 'none';

export interface Operation {
  /** Short stable name, e.g. `notes.create`; the journal records it. */
  id: string;
  method: HttpMethod;
  /** Path template with `{name}` parameters, e.g. `/crm/v3/objects/{objectType}/{objectId}`. */
  path: string;
  /** Path parameter rules (e.g. an enum of object types); unlisted parameters are any non-empty string. */
  params?: z.ZodObject;
  /** The documented query parameters; a name not in this object is refused. Values arrive as strings. */
  query?: z.ZodObject;
  /**
   * The documented body; use z.strictObject where the vendor refuses unknown fields. A multipart body arrives
   * as a MultipartForm (`{fields, files}`), a form body as a record of strings.
   */
  body?: z.ZodType;
  /** How the body is encoded, default JSON; a request in another encoding is refused with 415. */
  bodyType?: 'json' | 'multipart' | 'form';
  /** Overrides the contract's auth scheme for this operation. */
  auth?: AuthScheme;
  /** What a success answer looks like; the tests check every answer against it. */
  response?: z.ZodType;
  /** False where the vendor sends no rate-limit headers on this operation (default: the contract's rule). */
  rateLimitHeaders?: boolean;
  /** Success status, default 200. */
  status?: number;
  source: Source;
  /** Anything the vendor does not document but we observed or assume, said plainly. */
  note?: string;
}

export interface Contract {
  system: string;
  /** Prefix of every operation path as the vendor serves it (e.g. `/api` for PartnerStack), default ''. */
  basePath?: string;
  auth: { scheme: AuthScheme; source: Source };
  /** The vendor's error body for a status; `field` names the part of the request at fault when known. */
  error(status: number, message: string, field?: string): unknown;
  /** The error body's shape, checked on every error answer. */
  errorShape: z.ZodType;
  errorSource: Source;
  /** Rate-limit headers the vendor sends, by name, and where that is documented. */
  rateLimit?: { headers: string[]; on: 'every-answer' | '429'; source: Source };
  operations: Operation[];
}

/** Declares a contract; only gives the object its type (a contract is data). */
export function defineContract(contract: Contract): Contract {
  return contract;
}

/** The operation a request is for, with its path parameters; undefined when the contract has none. */
export function matchOperation(contract: Contract, method: string, path: string): { operation: Operation; params: Record<string, string> } | { methodNotAllowed: true } | undefined {
  let pathMatched = false;
  for (const operation of contract.operations) {
    const params = matchPath(`${contract.basePath ?? ''}${operation.path}`, path);
    if (!params) continue;
    pathMatched = true;
    if (operation.method === method) return { operation, params };
  }
  return pathMatched ? { methodNotAllowed: true } : undefined;
}

/**
 * Matches `/a/{x}/b` against `/a/1/b`. Literal segments win over parameters, as vendors route them: the
 * operations are tried in declaration order, so declare `/objects/{type}/search` before `/objects/{type}/{id}`.
 */
function matchPath(template: string, path: string): Record<string, string> | undefined {
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const m = /^\{(\w+)\}$/.exec(want[i]);
    if (m) {
      if (got[i] === '') return undefined;
      params[m[1]] = decodeURIComponent(got[i]);
    } else if (want[i] !== got[i]) return undefined;
  }
  return params;
}

/** The first problem of a zod parse as `path: message`, for the vendor's error text. */
export function firstIssue(error: z.ZodError, prefix: string): { field: string; message: string } {
  const issue = error.issues[0];
  const path = issue?.path.map(String) ?? [];
  const unknown = issue?.code === 'unrecognized_keys' ? (issue as { keys?: string[] }).keys?.[0] : undefined;
  const field = [...path, ...(unknown ? [unknown] : [])].join('.');
  const what = prefix === 'query' ? 'query parameter' : prefix === 'path' ? 'path parameter' : 'field';
  const message = unknown ? `${field} is not a documented ${what}` : `${what} ${field || '(body)'}: ${issue?.message ?? 'invalid'}`;
  return { field, message };
}
