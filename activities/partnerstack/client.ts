/**
 * The PartnerStack client the actions receive: the shared typed HTTP client with Basic auth, plus what is
 * particular to PartnerStack's API: the `{data, message, status}` envelope, cursor pages
 * (`starting_after` = last item key, `has_more`), and the record shapes the actions read (parsed leniently:
 * only the fields we use are checked).
 */
import { z } from 'zod';
import { ConnectorError } from '../shared/errors';
import { createHttpClient, type HttpClient, type HttpMethod } from '../shared/http';
import type { PartnerStackConfig } from './config';

export const SYSTEM = 'partnerstack';

export const Deal = z.looseObject({
  key: z.string(),
  account_name: z.string().nullish(),
  amount: z.number().nullish(),
  close_date: z.string().nullish(),
  stage: z.string().nullish(),
  external_key: z.string().nullish(),
  partner_key: z.string().nullish(),
});
export type Deal = z.infer<typeof Deal>;

export const Partnership = z.looseObject({
  key: z.string(),
  email: z.string(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  group: z.looseObject({ key: z.string(), name: z.string().nullish() }).nullish(),
});
export type Partnership = z.infer<typeof Partnership>;

export const Customer = z.looseObject({
  key: z.string(),
  customer_key: z.string(),
  email: z.string().nullish(),
  name: z.string().nullish(),
  partner_key: z.string().nullish(),
});
export type Customer = z.infer<typeof Customer>;

/**
 * A reward is what PartnerStack owes a partner (a commission). `reward_status` is hold, pending, approved,
 * declined or paid; the partner is named by `partnership.key` (PartnerStack API reference, "List rewards").
 */
export const Reward = z.looseObject({
  key: z.string(),
  amount: z.number(),
  currency: z.string().nullish(),
  description: z.string().nullish(),
  reward_status: z.string(),
  partnership: z.looseObject({ key: z.string() }),
});
export type Reward = z.infer<typeof Reward>;

const envelope = <T extends z.ZodType>(data: T) => z.object({ data, message: z.string().nullish(), status: z.number().optional() });
const page = <T extends z.ZodType>(item: T) => envelope(z.object({ items: z.array(item), has_more: z.boolean().optional() }));

export class PartnerStackClient {
  private readonly http: HttpClient;

  constructor(config: PartnerStackConfig) {
    const authorization = `Basic ${Buffer.from(`${config.publicKey}:${config.secretKey}`).toString('base64')}`;
    // Basic auth has no token to refresh, so no onUnauthorized: a 401 fails at once, without retry.
    this.http = createHttpClient({ system: SYSTEM, baseUrl: config.baseUrl, timeoutMs: config.timeoutMs, headers: () => ({ authorization }) });
  }

  /** One request; returns the envelope's `data`, checked against `schema`. */
  async data<T extends z.ZodType>(action: string, method: HttpMethod, path: string, schema: T, options: { body?: unknown; signal?: AbortSignal } = {}): Promise<z.infer<T>> {
    const response = await this.http.request(action, method, path, { ...options, schema: envelope(schema) });
    return (response as { data: unknown }).data as z.infer<T>;
  }

  /** Like `data`, but a 404 answers null (the record does not exist). */
  async dataOrNull<T extends z.ZodType>(action: string, path: string, schema: T, signal?: AbortSignal): Promise<z.infer<T> | null> {
    try {
      return await this.data(action, 'GET', path, schema, { signal });
    } catch (err) {
      if (err instanceof ConnectorError && err.details.status === 404) return null;
      throw err;
    }
  }

  /** Every item of a list endpoint, following the cursor. */
  async list<T extends z.ZodType>(action: string, path: string, query: Record<string, string | undefined>, item: T, signal?: AbortSignal): Promise<Array<z.infer<T>>> {
    const items: Array<z.infer<T>> = [];
    let startingAfter: string | undefined;
    for (;;) {
      const response = await this.http.request(action, 'GET', path, {
        query: { ...query, limit: 250, starting_after: startingAfter },
        schema: page(item),
        signal,
      });
      const { items: batch, has_more } = (response as { data: unknown }).data as { items: Array<z.infer<T> & { key: string }>; has_more?: boolean };
      items.push(...batch);
      if (!has_more || batch.length === 0) return items;
      startingAfter = batch[batch.length - 1].key;
    }
  }
}
