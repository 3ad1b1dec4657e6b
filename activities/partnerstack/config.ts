/**
 * PartnerStack configuration read from the environment. PartnerStack authenticates with HTTP Basic: the
 * public key as user name and the secret key as password (vendors.md §2), so both are required.
 */
import { z } from 'zod';

export const PartnerStackConfigSchema = z.object({
  publicKey: z.string().min(1),
  secretKey: z.string().min(1),
  /** Paths such as `/v2/deals` are appended to it. */
  baseUrl: z.string().url().default('https://api.partnerstack.com/api'),
  timeoutMs: z.coerce.number().int().positive().default(15_000),
  /** Unguessable token in the webhook URL path: PartnerStack documents no webhook signature. */
  webhookToken: z.string().min(16).optional(),
});
export type PartnerStackConfig = z.infer<typeof PartnerStackConfigSchema>;

/**
 * Reads PARTNERSTACK_API_KEY (public key), PARTNERSTACK_API_SECRET, PARTNERSTACK_BASE_URL,
 * PARTNERSTACK_TIMEOUT_MS and PARTNERSTACK_WEBHOOK_TOKEN; undefined when the keys are not set.
 */
export function configFromEnv(env: NodeJS.ProcessEnv): PartnerStackConfig | undefined {
  if (!env.PARTNERSTACK_API_KEY && !env.PARTNERSTACK_API_SECRET) return undefined;
  const parsed = PartnerStackConfigSchema.safeParse({
    publicKey: env.PARTNERSTACK_API_KEY,
    secretKey: env.PARTNERSTACK_API_SECRET,
    baseUrl: env.PARTNERSTACK_BASE_URL || undefined,
    timeoutMs: env.PARTNERSTACK_TIMEOUT_MS || undefined,
    webhookToken: env.PARTNERSTACK_WEBHOOK_TOKEN || undefined,
  });
  // Name the bad variable, never its value: the value may be a credential.
  if (!parsed.success) throw new Error(`invalid PartnerStack configuration: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  return parsed.data;
}
