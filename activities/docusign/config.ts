/**
 * DocuSign configuration read from the environment. A service integration signs in with the OAuth JWT
 * grant (DocuSign eSignature, "JSON Web Token (JWT) Grant"): an RS256 assertion signed with the integration
 * key's RSA private key, for a user who consented once. The account and its REST host come from
 * `/oauth/userinfo`.
 */
import { z } from 'zod';

export const DocuSignConfigSchema = z.object({
  /** `https://account-d.docusign.com` (demo) or `https://account.docusign.com` (production). */
  oauthUrl: z.string().url().default('https://account-d.docusign.com'),
  /** The integration key (client id) of the app. */
  integrationKey: z.string().min(1),
  /** The API user the integration acts as (a GUID). */
  userId: z.string().min(1),
  /** PEM of the RSA private key, `\n` escapes allowed (environment variables are one line). */
  privateKey: z.string().includes('PRIVATE KEY').transform((pem) => pem.replace(/\\n/g, '\n')),
  /** The account to use; default: the user's default account. */
  accountId: z.string().min(1).optional(),
  /** Connect HMAC keys (up to 100 may be active); a delivery matching any one is genuine. */
  connectKeys: z.array(z.string().min(1)).default([]),
  timeoutMs: z.coerce.number().int().positive().default(15_000),
});
export type DocuSignConfig = z.infer<typeof DocuSignConfigSchema>;

const VARIABLES: Record<keyof DocuSignConfig, string> = {
  oauthUrl: 'DOCUSIGN_OAUTH_URL',
  integrationKey: 'DOCUSIGN_INTEGRATION_KEY',
  userId: 'DOCUSIGN_USER_ID',
  privateKey: 'DOCUSIGN_PRIVATE_KEY',
  accountId: 'DOCUSIGN_ACCOUNT_ID',
  connectKeys: 'DOCUSIGN_CONNECT_KEYS',
  timeoutMs: 'DOCUSIGN_TIMEOUT_MS',
};

/** Reads the DOCUSIGN_* variables above (DOCUSIGN_CONNECT_KEYS comma-separated); undefined without DOCUSIGN_INTEGRATION_KEY. */
export function configFromEnv(env: NodeJS.ProcessEnv): DocuSignConfig | undefined {
  if (!env.DOCUSIGN_INTEGRATION_KEY) return undefined;
  const values = Object.fromEntries(Object.entries(VARIABLES).map(([key, name]) => [key, env[name] || undefined])) as Record<string, unknown>;
  values.connectKeys = typeof values.connectKeys === 'string' ? values.connectKeys.split(',').map((k) => k.trim()).filter(Boolean) : undefined;
  const parsed = DocuSignConfigSchema.safeParse(values);
  // Name the bad variable, never its value: the value may be a credential.
  if (!parsed.success) throw new Error(`invalid DocuSign configuration: check ${parsed.error.issues.map((i) => VARIABLES[i.path[0] as keyof DocuSignConfig]).join(', ')}`);
  return parsed.data;
}
