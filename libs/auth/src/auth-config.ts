import { z } from 'zod';

/**
 * Where the services learn who may call them: an OpenID Connect / OAuth 2 identity provider's
 * public keys (JWKS), and the issuer and audience its access tokens must name. `npm start`, the
 * tests and compose point them at the local identity provider (tools/identity-provider); a real
 * deployment points them at its own (Keycloak, Auth0, Entra ID, Cognito...).
 */
export const authConfigShape = {
  /** The identity provider's JSON Web Key Set, e.g. https://idp.example.com/.well-known/jwks.json. */
  AUTH_JWKS_URL: z.url({
    protocol: /^https?$/,
    error: (issue) =>
      issue.input === undefined
        ? "required: the identity provider's JWKS URL (npm start sets it)"
        : 'must be an http or https URL',
  }),
  /** The `iss` every token must carry: the identity provider's issuer identifier, exactly. */
  AUTH_ISSUER: z.string({ error: "required: the `iss` of the identity provider's tokens" }).min(1),
  /** The `aud` every token must include: the API these services form. */
  AUTH_AUDIENCE: z.string().min(1).default('shopflow'),
  /** How far the services' clock and the issuer's may disagree when `exp`, `nbf` and `iat` are checked. */
  AUTH_CLOCK_TOLERANCE_S: z.coerce.number().int().min(0).max(300).default(30),
};

export type AuthConfig = z.infer<z.ZodObject<typeof authConfigShape>>;
