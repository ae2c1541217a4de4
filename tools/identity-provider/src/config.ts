import { z } from 'zod';
import { DURATION_EXAMPLES, parseDuration } from './duration';

const duration = z
  .string()
  .refine((text) => parseDuration(text) !== undefined, `must be a duration such as ${DURATION_EXAMPLES}`);

/**
 * An issuer identifier (RFC 8414): an http(s) URL without query or fragment. The provider publishes
 * its endpoints under it, so it is the URL the services reach the provider at.
 */
const issuer = z.string().refine((text) => {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.search === '' && url.hash === '';
}, 'must be an http(s) URL without query or fragment, e.g. http://127.0.0.1:4020');

/** The identity provider's environment. */
export const identityProviderConfigSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(4020),
    /** 0.0.0.0 in a container. */
    HOST: z.string().min(1).default('127.0.0.1'),
    /**
     * The `iss` of every token, which the services expect (their AUTH_ISSUER); unset,
     * http://127.0.0.1:<the port it listens on>. Compose sets it: the host name differs there.
     */
    ISSUER: issuer.optional(),
    /** The `aud` of every token (the services' AUTH_AUDIENCE). */
    AUDIENCE: z.string().min(1).default('shopflow'),
    /**
     * A private JWK file: loaded if it exists, else made and written there (mode 0600), so tokens
     * outlive a restart. Unset, the key lives in memory and every restart invalidates the tokens.
     */
    SIGNING_KEY_FILE: z.string().min(1).optional(),
    /** The longest lifetime a token may ask for; longer asks are cut to it. */
    MAX_TTL: duration.default('30d'),
  })
  .transform((env) => ({
    port: env.PORT,
    host: env.HOST,
    issuer: env.ISSUER,
    audience: env.AUDIENCE,
    signingKeyFile: env.SIGNING_KEY_FILE,
    maxTtl: env.MAX_TTL,
  }));

export type IdentityProviderConfig = z.infer<typeof identityProviderConfigSchema>;

/** The config, or one line per problem naming the variable. */
export function readIdentityProviderConfig(env: NodeJS.ProcessEnv): IdentityProviderConfig | { problems: string[] } {
  const parsed = identityProviderConfigSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  return { problems: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) };
}
