import fs from 'node:fs/promises';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

export const SIGNING_ALGORITHM = 'ES256';

export interface SigningKey {
  /** The public JWK's RFC 7638 thumbprint: the `kid` of the tokens and of the JWKS entry. */
  kid: string;
  privateKey: CryptoKey;
  /** What the JWKS publishes: the public half only, with its kid, algorithm and use. */
  publicJwk: JWK;
  /** The file the key was read from or written to; undefined for a key held in memory only. */
  file: string | undefined;
}

/** SIGNING_KEY_FILE holds something that is not an ES256 private key. */
export class SigningKeyFileError extends Error {
  override readonly name = 'SigningKeyFileError';
}

/**
 * The provider's signing key. With `file`: the private JWK stored there, or a new one written there
 * (folders made, mode 0600: it lets anyone who reads it mint tokens) when there is none, so tokens
 * issued before a restart still verify after it. Without: a new key in memory.
 */
export async function loadSigningKey(file?: string): Promise<SigningKey> {
  if (file === undefined) return describe(await newPrivateJwk(), undefined);
  const stored = await readKeyFile(file);
  if (stored) return describe(stored, file);
  const made = await newPrivateJwk();
  await fs.mkdir(path.dirname(file), { recursive: true });
  try {
    // 'wx': another provider starting on the same file at the same moment keeps the key it wrote.
    await fs.writeFile(file, `${JSON.stringify(made, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const theirs = await readKeyFile(file);
    if (!theirs) throw new SigningKeyFileError(`${file} appeared empty while this provider was writing it`);
    return describe(theirs, file);
  }
  return describe(made, file);
}

async function newPrivateJwk(): Promise<JWK> {
  // Extractable: the private half is exported to be written to the key file.
  const { privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  return { ...(await exportJWK(privateKey)), alg: SIGNING_ALGORITHM };
}

/** The private JWK in `file`, undefined if there is no such file. */
async function readKeyFile(file: string): Promise<JWK | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const invalid = () =>
    new SigningKeyFileError(
      `${file} holds no ES256 private key (a JWK with kty EC, crv P-256 and d): ` +
        'delete it to have a new key made there, or point SIGNING_KEY_FILE at another file',
    );
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    throw invalid();
  }
  const { kty, crv, x, y, d } = (jwk ?? {}) as JWK;
  if (kty !== 'EC' || crv !== 'P-256' || ![x, y, d].every((part) => typeof part === 'string' && part !== ''))
    throw invalid();
  return { kty, crv, x, y, d, alg: SIGNING_ALGORITHM };
}

async function describe(privateJwk: JWK, file: string | undefined): Promise<SigningKey> {
  const { kty, crv, x, y } = privateJwk;
  const publicPart: JWK = { kty, crv, x, y };
  const kid = await calculateJwkThumbprint(publicPart, 'sha256');
  let privateKey: CryptoKey;
  try {
    privateKey = (await importJWK(privateJwk, SIGNING_ALGORITHM)) as CryptoKey;
  } catch (error) {
    throw new SigningKeyFileError(
      `${file ?? 'the signing key'} holds no usable ES256 private key (${(error as Error).message}): ` +
        'delete it to have a new key made there, or point SIGNING_KEY_FILE at another file',
    );
  }
  return { kid, privateKey, publicJwk: { ...publicPart, kid, alg: SIGNING_ALGORITHM, use: 'sig' }, file };
}
