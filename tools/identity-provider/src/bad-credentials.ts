import { generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { loadSigningKey, SIGNING_ALGORITHM } from './signing-key';

/** Every kind of credential the services must refuse with 401, by name. */
export type BadCredential =
  | 'missing'
  | 'malformed'
  | 'expired'
  | 'not yet valid'
  | 'wrongly signed'
  | 'alg none'
  | 'wrong issuer'
  | 'wrong audience';

/**
 * The `Authorization` header of each bad credential (undefined: none sent), for tests that prove a
 * service refuses them. The ones that must look genuine but for one claim are signed with the
 * provider's own key, read from its SIGNING_KEY_FILE: only a test that started the provider with a
 * key file can make them, as only someone holding the key could.
 */
export async function badCredentials(
  provider: { issuer: string; audience: string },
  signingKeyFile: string,
): Promise<Record<BadCredential, string | undefined>> {
  const key = await loadSigningKey(signingKeyFile);
  const now = Math.floor(Date.now() / 1000);
  const claims: JWTPayload = {
    iss: provider.issuer,
    aud: provider.audience,
    sub: 'cust-forged',
    scope: 'orders catalog:write admin',
    iat: now,
    exp: now + 600,
  };
  const sign = (payload: JWTPayload, privateKey: CryptoKey = key.privateKey) =>
    new SignJWT(payload).setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: 'at+jwt' }).sign(privateKey);
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const bearer = async (token: string | Promise<string>) => `Bearer ${await token}`;
  const stranger = (await generateKeyPair(SIGNING_ALGORITHM)).privateKey;
  return {
    missing: undefined,
    malformed: 'Bearer not.a-jwt',
    // Ten minutes either side: past any clock tolerance a service allows (at most five).
    expired: await bearer(sign({ ...claims, iat: now - 1200, exp: now - 600 })),
    'not yet valid': await bearer(sign({ ...claims, nbf: now + 600 })),
    'wrongly signed': await bearer(sign(claims, stranger)),
    'alg none': `Bearer ${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`,
    'wrong issuer': await bearer(sign({ ...claims, iss: `${provider.issuer}/elsewhere` })),
    'wrong audience': await bearer(sign({ ...claims, aud: 'another-api' })),
  };
}
