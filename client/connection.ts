/**
 * How the worker and the API reach Temporal: the address, and TLS when the settings ask for it (mutual TLS
 * with a client certificate, a CA of one's own, or an API key such as Temporal Cloud's over TLS). The files are
 * read here, once, at start; the settings check (settings/load.ts) has already said what is missing.
 */
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';

export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

export function temporalConnectionOptions(address: string, env: NodeJS.ProcessEnv = process.env): TemporalConnectionOptions {
  const read = (variable: string): Buffer => {
    try {
      return readFileSync(env[variable]!);
    } catch (error) {
      throw new Error(`${variable}: cannot read ${env[variable]} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  };
  const apiKey = env.TEMPORAL_API_KEY || undefined;
  const wantsTls = Boolean(env.TEMPORAL_TLS_CERT || env.TEMPORAL_TLS_CA || env.TEMPORAL_TLS_SERVER_NAME || apiKey || env.TEMPORAL_TLS === 'true');
  if (!wantsTls) return { address };
  const tls: TLSConfig = {
    serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME || undefined,
    serverRootCACertificate: env.TEMPORAL_TLS_CA ? read('TEMPORAL_TLS_CA') : undefined,
    clientCertPair: env.TEMPORAL_TLS_CERT ? { crt: read('TEMPORAL_TLS_CERT'), key: read('TEMPORAL_TLS_KEY') } : undefined,
  };
  return { address, tls, apiKey };
}
