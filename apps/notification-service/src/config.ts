import { baseConfigSchema, loadConfig } from '@shopflow/bootstrap';
import { z } from 'zod';

export const SERVICE_NAME = 'notification-service';

const flag = (defaultValue: 'true' | 'false') =>
  z
    .enum(['true', 'false'])
    .default(defaultValue)
    .transform((value) => value === 'true');

export const configSchema = baseConfigSchema({ port: 3004 })
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
  })
  .refine((config) => !config.SMTP_PASSWORD || config.SMTP_USER, {
    message: 'SMTP_PASSWORD needs SMTP_USER',
    path: ['SMTP_USER'],
  });

export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig(configSchema, env);
