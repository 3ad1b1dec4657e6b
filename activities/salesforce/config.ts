/**
 * Salesforce configuration read from the environment. The worker signs in with the OAuth 2.0
 * client-credentials flow of a connected app (Salesforce Help, "OAuth 2.0 Client Credentials Flow for
 * Server-to-Server Integration"): the token endpoint is `<loginUrl>/services/oauth2/token`, and Salesforce
 * requires the org's My Domain URL as `loginUrl` for this flow. The answer names the instance to call.
 */
import { z } from 'zod';

export const SalesforceConfigSchema = z.object({
  /** The org's My Domain URL, e.g. `https://everbright.my.salesforce.com`. */
  loginUrl: z.string().url(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** REST API version the requests use (`/services/data/v<version>`). */
  apiVersion: z.string().regex(/^\d+\.\d$/, 'like 62.0').default('62.0'),
  /**
   * API name of the unique External ID text field the engine stores its idempotency key in, on Case and
   * Task (an administrator creates it once: Text(255), Unique, External ID).
   */
  externalIdField: z.string().regex(/^\w+__c$/, 'a custom field API name ending in __c').default('WF_Key__c'),
  timeoutMs: z.coerce.number().int().positive().default(15_000),
});
export type SalesforceConfig = z.infer<typeof SalesforceConfigSchema>;

const VARIABLES: Record<keyof SalesforceConfig, string> = {
  loginUrl: 'SALESFORCE_LOGIN_URL',
  clientId: 'SALESFORCE_CLIENT_ID',
  clientSecret: 'SALESFORCE_CLIENT_SECRET',
  apiVersion: 'SALESFORCE_API_VERSION',
  externalIdField: 'SALESFORCE_EXTERNAL_ID_FIELD',
  timeoutMs: 'SALESFORCE_TIMEOUT_MS',
};

/** Reads the SALESFORCE_* variables above; undefined when SALESFORCE_CLIENT_ID is not set. */
export function configFromEnv(env: NodeJS.ProcessEnv): SalesforceConfig | undefined {
  if (!env.SALESFORCE_CLIENT_ID) return undefined;
  const parsed = SalesforceConfigSchema.safeParse(
    Object.fromEntries(Object.entries(VARIABLES).map(([key, name]) => [key, env[name] || undefined])),
  );
  // Name the bad variable, never its value: the value may be a credential.
  if (!parsed.success) {
    throw new Error(`invalid Salesforce configuration: check ${parsed.error.issues.map((i) => VARIABLES[i.path[0] as keyof SalesforceConfig] ?? i.path.join('.')).join(', ')}`);
  }
  return parsed.data;
}
