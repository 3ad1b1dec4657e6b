/**
 * SMTP configuration read from the environment. The password never leaves this object except inside
 * nodemailer's AUTH command.
 */
import { z } from 'zod';

export const EmailConfigSchema = z
  .object({
    host: z.string().min(1),
    port: z.coerce.number().int().min(1).max(65535).default(587),
    /** TLS from the first byte (port 465); otherwise STARTTLS is used when the server offers it. */
    secure: z.boolean().optional(),
    user: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** Default sender, e.g. `iod@cinnox.com`; its domain also names the Message-IDs the engine mints. */
    from: z.email(),
    /** Connection, greeting and socket timeout of one send. */
    timeoutMs: z.coerce.number().int().positive().default(30_000),
  })
  .refine((c) => (c.user === undefined) === (c.password === undefined), { message: 'set both or neither', path: ['password'] });
export type EmailConfig = z.infer<typeof EmailConfigSchema>;

const VARIABLES: Record<string, string> = {
  host: 'SMTP_HOST', port: 'SMTP_PORT', secure: 'SMTP_SECURE', user: 'SMTP_USER', password: 'SMTP_PASSWORD', from: 'EMAIL_FROM', timeoutMs: 'SMTP_TIMEOUT_MS',
};

/**
 * Reads SMTP_HOST, SMTP_PORT, SMTP_SECURE, SMTP_USER, SMTP_PASSWORD, EMAIL_FROM and SMTP_TIMEOUT_MS;
 * undefined without SMTP_HOST.
 */
export function configFromEnv(env: NodeJS.ProcessEnv): EmailConfig | undefined {
  if (!env.SMTP_HOST) return undefined;
  const parsed = EmailConfigSchema.safeParse({
    host: env.SMTP_HOST,
    port: env.SMTP_PORT || undefined,
    secure: env.SMTP_SECURE ? env.SMTP_SECURE === 'true' : undefined,
    user: env.SMTP_USER || undefined,
    password: env.SMTP_PASSWORD || undefined,
    from: env.EMAIL_FROM,
    timeoutMs: env.SMTP_TIMEOUT_MS || undefined,
  });
  // Name the bad variable, never its value: the value may be a credential.
  if (!parsed.success) {
    throw new Error(`invalid e-mail configuration: check ${[...new Set(parsed.error.issues.map((i) => VARIABLES[String(i.path[0])] ?? i.path.join('.')))].join(', ')}`);
  }
  return parsed.data;
}
