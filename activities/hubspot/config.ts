/**
 * HubSpot configuration read from the environment. Only the access token is required; everything else has
 * a default. The token never leaves this object except as the SDK's Authorization header.
 */
import { z } from 'zod';
import { uploadsDirFrom } from '../../client/uploads';

export const HubSpotConfigSchema = z.object({
  /** Private-app access token (static; HubSpot private apps have no refresh flow). */
  accessToken: z.string().min(1),
  baseUrl: z.string().url().default('https://api.hubapi.com'),
  /** How long one API call may take before the activity attempt gives up on it. */
  timeoutMs: z.coerce.number().int().positive().default(15_000),
  /** The app's client secret, used to verify X-HubSpot-Signature-v3 on inbound webhooks. */
  webhookSecret: z.string().min(1).optional(),
  /** The upload store (`OPS_UPLOADS_DIR`) that `hubspot.attachFile` reads form uploads from, by id. */
  uploadsDir: z.string().min(1).optional(),
});
export type HubSpotConfig = z.infer<typeof HubSpotConfigSchema>;

/** Reads HUBSPOT_ACCESS_TOKEN, HUBSPOT_BASE_URL, HUBSPOT_TIMEOUT_MS, HUBSPOT_WEBHOOK_SECRET (and OPS_UPLOADS_DIR); undefined without a token. */
export function configFromEnv(env: NodeJS.ProcessEnv): HubSpotConfig | undefined {
  if (!env.HUBSPOT_ACCESS_TOKEN) return undefined;
  const parsed = HubSpotConfigSchema.safeParse({
    accessToken: env.HUBSPOT_ACCESS_TOKEN,
    baseUrl: env.HUBSPOT_BASE_URL || undefined,
    timeoutMs: env.HUBSPOT_TIMEOUT_MS || undefined,
    webhookSecret: env.HUBSPOT_WEBHOOK_SECRET || undefined,
    uploadsDir: uploadsDirFrom(env),
  });
  // Name the bad variable, never its value: the value may be a credential.
  if (!parsed.success) throw new Error(`invalid HubSpot configuration: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  return parsed.data;
}
