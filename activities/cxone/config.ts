/**
 * NICE CXone configuration read from the environment (vendors.md §3): the issuer (token endpoint and API
 * discovery live there, so it doubles as the base-URL override), the registered app's client id and secret,
 * and the access key pair the password grant uses. Secrets never leave this object except in the token request.
 */
import { z } from 'zod';

export const CxoneConfigSchema = z.object({
  /** e.g. `https://cxone.niceincontact.com`; the API host is discovered from it per tenant. */
  issuerUrl: z.string().url().default('https://cxone.niceincontact.com'),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  accessKeyId: z.string().min(1),
  accessKeySecret: z.string().min(1),
  /** The digital email channel to send from; looked up when there is exactly one email channel. */
  emailChannelId: z.string().min(1).optional(),
  timeoutMs: z.coerce.number().int().positive().default(15_000),
});
export type CxoneConfig = z.infer<typeof CxoneConfigSchema>;

const VARIABLES: Record<string, string> = {
  issuerUrl: 'CXONE_ISSUER_URL', clientId: 'CXONE_CLIENT_ID', clientSecret: 'CXONE_CLIENT_SECRET', accessKeyId: 'CXONE_ACCESS_KEY_ID',
  accessKeySecret: 'CXONE_ACCESS_KEY_SECRET', emailChannelId: 'CXONE_EMAIL_CHANNEL_ID', timeoutMs: 'CXONE_TIMEOUT_MS',
};

/**
 * Reads CXONE_ISSUER_URL, CXONE_CLIENT_ID, CXONE_CLIENT_SECRET, CXONE_ACCESS_KEY_ID, CXONE_ACCESS_KEY_SECRET,
 * CXONE_EMAIL_CHANNEL_ID and CXONE_TIMEOUT_MS; undefined without CXONE_ACCESS_KEY_ID.
 */
export function configFromEnv(env: NodeJS.ProcessEnv): CxoneConfig | undefined {
  if (!env.CXONE_ACCESS_KEY_ID) return undefined;
  const parsed = CxoneConfigSchema.safeParse({
    issuerUrl: env.CXONE_ISSUER_URL || undefined,
    clientId: env.CXONE_CLIENT_ID,
    clientSecret: env.CXONE_CLIENT_SECRET,
    accessKeyId: env.CXONE_ACCESS_KEY_ID,
    accessKeySecret: env.CXONE_ACCESS_KEY_SECRET,
    emailChannelId: env.CXONE_EMAIL_CHANNEL_ID || undefined,
    timeoutMs: env.CXONE_TIMEOUT_MS || undefined,
  });
  // Name the bad variable, never its value: the value may be a credential.
  if (!parsed.success) throw new Error(`invalid CXone configuration: check ${parsed.error.issues.map((i) => VARIABLES[String(i.path[0])] ?? i.path.join('.')).join(', ')}`);
  return parsed.data;
}
