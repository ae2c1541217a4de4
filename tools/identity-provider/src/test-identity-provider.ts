import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { badCredentials, type BadCredential } from './bad-credentials';
import { startIdentityProvider, type IdentityProvider } from './identity-provider';
import { type TokenRequest } from './token-issuer';

/** Who a test request comes from: the claims of its access token, or no token at all. */
export type Caller = TokenRequest | 'anonymous';

export interface TestIdentityProvider extends IdentityProvider {
  /** The Authorization header for `caller` (none for 'anonymous'), to spread into a request's headers. */
  authorization(caller: Caller): Promise<{ authorization?: string }>;
  /** The Authorization header of each credential a service must refuse (undefined: none sent). */
  badCredentials(): Promise<Record<BadCredential, string | undefined>>;
  /** Stops it and deletes its key. */
  close(): Promise<void>;
}

/**
 * An identity provider in this process for a service's integration tests, on a free port. It keeps
 * its key in a file of its own, so that the tests can forge tokens with it (badCredentials).
 */
export async function startTestIdentityProvider(): Promise<TestIdentityProvider> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'shopflow-idp-'));
  const signingKeyFile = path.join(folder, 'signing-key.json');
  const provider = await startIdentityProvider({ signingKeyFile });
  return {
    ...provider,
    authorization: async (caller) =>
      caller === 'anonymous' ? {} : { authorization: `Bearer ${await provider.token(caller)}` },
    badCredentials: () => badCredentials(provider, signingKeyFile),
    close: async () => {
      await provider.close();
      fs.rmSync(folder, { recursive: true, force: true });
    },
  };
}
