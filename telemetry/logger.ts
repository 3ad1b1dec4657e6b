/**
 * The product's logs: pino JSON lines, one object a line, from the API (Fastify's logger), the worker and
 * the Temporal SDK (its runtime, workflow and activity loggers forwarded here). Each line about an instance
 * carries `workflowId`, `runId`, `process` and `businessKey` (the workflow id is `process/businessKey`).
 * `LOG_LEVEL` sets the level; on a terminal the lines are made readable by pino-pretty.
 *
 * Secrets never reach a line: every secret setting's value (settings/schema.ts) is replaced by `•••` in
 * the written text, whatever logged it, and the request serializer drops the credentials and masks the
 * secret parts of webhook addresses.
 */
import type { LogLevel as SdkLogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { Writable } from 'node:stream';
import { SETTINGS, type SettingName } from '../settings/schema';

export type { Logger } from 'pino';

const MASK = '•••';

export interface LoggerOptions {
  /** `api` or `worker`: the `component` of every line. */
  component: string;
  /** Default: LOG_LEVEL, else `info`. */
  level?: string;
  /** Where lines go; default standard output (pretty when it is a terminal). */
  destination?: NodeJS.WritableStream;
  /** The API's: requests logged by `requestSerializer`. */
  http?: boolean;
}

export function createLogger(env: NodeJS.ProcessEnv, options: LoggerOptions): Logger {
  const level = options.level ?? env.LOG_LEVEL ?? 'info';
  const out = options.destination ?? process.stdout;
  const readable = out === process.stdout && process.stdout.isTTY;
  const target: DestinationStream = readable ? pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }) : (out as DestinationStream);
  return pino(
    {
      level,
      base: { component: options.component },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        // A line naming an instance also names its process and business key, whoever logged it.
        log: (fields) => (typeof fields.workflowId === 'string' && fields.businessKey === undefined ? { ...instanceFields(fields.workflowId), ...fields } : fields),
      },
      // Belt and braces: these keys are dropped wherever they appear, before the text-level masking.
      ...(options.http ? { serializers: { req: requestSerializer } } : {}),
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', '*.password', '*.apiKey', '*.accessToken', '*.token'], censor: MASK },
    },
    masking(target, secretValues(env)),
  );
}

/** The values of the secret settings that are set, longest first (so that one inside another is masked whole). */
export function secretValues(env: NodeJS.ProcessEnv): string[] {
  const values = (Object.keys(SETTINGS) as SettingName[])
    .filter((name) => 'secret' in SETTINGS[name] && (SETTINGS[name] as { secret?: boolean }).secret)
    .flatMap((name) => (env[name] ? [env[name]!, ...env[name]!.split(',').map((v) => v.trim())] : []))
    .flatMap((value) => (value.includes(':') ? [value, value.slice(value.indexOf(':') + 1)] : [value]))
    // Short values would mask ordinary words; no credential of the product is this short.
    .filter((value) => value.length >= 8);
  return [...new Set(values)].sort((a, b) => b.length - a.length);
}

/** A stream that masks each secret in every line (as written, and as JSON escapes it) before passing it on. */
function masking(target: DestinationStream, secrets: string[]): DestinationStream {
  if (!secrets.length) return target;
  const forms = [...new Set(secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))].sort((a, b) => b.length - a.length);
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      let line = chunk.toString();
      for (const secret of forms) if (line.includes(secret)) line = line.split(secret).join(MASK);
      target.write(line);
      done();
    },
  }) as unknown as DestinationStream;
}

/**
 * A request as its log lines show it: method, address and, for a route about an instance, its fields. The
 * secret parts of webhook addresses (PartnerStack's and JotForm's token in the path, PandaDoc's signature in
 * the query) and every query value whose name speaks of a secret are masked; headers are not logged.
 */
export function requestSerializer(request: { method: string; url: string; ip?: string }): Record<string, unknown> {
  const url = maskUrl(request.url);
  const path = url.split('?')[0];
  const instance = /^\/(?:inbox\/)?instances\/([^/]+)/.exec(path) ?? /^\/tasks\/([^/]+)\//.exec(path);
  let workflowId: string | undefined;
  try {
    workflowId = instance ? decodeURIComponent(instance[1]) : undefined;
  } catch {
    workflowId = undefined;
  }
  return { method: request.method, url, remoteAddress: request.ip, ...instanceFields(workflowId) };
}

/** An address (a path, or a full URL) with its secret parts masked, for logs and trace attributes. */
export function maskUrl(url: string): string {
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url)?.[0] ?? '';
  const [pathPart, query] = url.slice(origin.length).split('?', 2);
  const path = pathPart.replace(/^(\/webhooks\/(?:partnerstack|jotform)\/)[^/]+/, `$1${MASK}`);
  const masked = query?.replace(/((?:^|&)[^=&]*(?:signature|token|key|secret|code|password)[^=&]*=)[^&]*/gi, `$1${MASK}`);
  return origin + (masked === undefined ? path : `${path}?${masked}`);
}

/** Every secret in `text` replaced by `•••` (see `secretValues`). */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  for (const secret of secrets) if (text.includes(secret)) text = text.split(secret).join(MASK);
  return text;
}

/** `process/key` → the process and the business key; ids of other shapes have neither. */
export function instanceFields(workflowId: string | undefined): { workflowId?: string; process?: string; businessKey?: string } {
  if (!workflowId) return {};
  const slash = workflowId.indexOf('/');
  return slash > 0 ? { workflowId, process: workflowId.slice(0, slash), businessKey: workflowId.slice(slash + 1) } : { workflowId };
}

/**
 * The Temporal SDK's logger (Runtime.install), writing through pino: the workflow and activity loggers'
 * metadata becomes the product's fields (`workflowId`, `runId`, `process`, `businessKey`, `activity`).
 */
export function sdkLogger(logger: Logger): SdkLogger {
  const write = (level: SdkLogLevel, message: string, meta: LogMetadata = {}) => {
    // A task token lets its holder complete the activity: it never goes into a line.
    const { workflowId, runId, workflowRunId, workflowType, activityType, activityId, attempt, sdkComponent, taskQueue, namespace, taskToken, ...rest } = meta as Record<string, unknown>;
    const fields = {
      sdk: sdkComponent,
      ...instanceFields(workflowId as string | undefined),
      ...(runId || workflowRunId ? { runId: runId ?? workflowRunId } : {}),
      ...(workflowType ? { process: workflowType } : {}),
      ...(activityType ? { activity: activityType, activityId, attempt } : {}),
      ...rest,
    };
    const method = level === 'TRACE' ? 'trace' : level === 'DEBUG' ? 'debug' : level === 'INFO' ? 'info' : level === 'WARN' ? 'warn' : 'error';
    logger[method](fields, message);
  };
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}

/** pino's level as the SDK's core log filter level. */
export function coreLevel(level: string): 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' {
  return level === 'trace' ? 'TRACE' : level === 'debug' ? 'DEBUG' : level === 'info' ? 'INFO' : level === 'warn' ? 'WARN' : 'ERROR';
}
