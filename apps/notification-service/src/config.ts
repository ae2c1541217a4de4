import { baseConfigSchema, loadConfig } from '@shopflow/bootstrap';
import { z } from 'zod';

export const SERVICE_NAME = 'notification-service';

const flag = (defaultValue: 'true' | 'false') =>
  z
    .enum(['true', 'false'])
    .default(defaultValue)
    .transform((value) => value === 'true');

/**
 * PREFETCH 200: a message is in hand for the whole time its e-mail takes (the SMTP exchange, outside
 * any transaction, and the two short transactions around it), and by Little's law the messages in
 * flight are rate × time per e-mail. At the ~500 e-mails/s the system needs, against a server that
 * answers each command after 20 ms (~100 ms per e-mail), plus group commits' waits and the ack, that
 * is 500/s × 0.2-0.4 s = 100-200; 50 (the base default) would cap a replica near 125-250/s.
 */
export const configSchema = baseConfigSchema({ port: 3004, prefetch: 200 })
  .extend({
    SMTP_HOST: z.string().min(1).default('127.0.0.1'),
    /** 1025 is where Mailpit-style catchers listen. */
    SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(1025),
    /** TLS from the first byte (usually port 465); false still upgrades with STARTTLS when the server offers it. */
    SMTP_SECURE: flag('false'),
    SMTP_USER: z.string().min(1).optional(),
    SMTP_PASSWORD: z.string().min(1).optional(),
    MAIL_FROM: z.string().min(1).default('shopflow <orders@shopflow.local>'),
    /** Reuse SMTP connections across messages instead of one connection per e-mail. */
    SMTP_POOL: flag('true'),
    /**
     * With SMTP_POOL: connections to the server at once, one e-mail in flight on each. nodemailer's
     * 5 would cap a replica at ~50 e-mails/s against a server taking ~100 ms per e-mail.
     */
    SMTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(500).default(50),
  })
  .refine((config) => !config.SMTP_PASSWORD || config.SMTP_USER, {
    message: 'SMTP_PASSWORD needs SMTP_USER',
    path: ['SMTP_USER'],
  });

export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig(configSchema, env);
