// `npm run token -- --sub <id> [--scope "<scopes>"] [--ttl <duration>]`: an access token from the
// development identity provider, on stdout alone (scripts and tools outside the repository read it
// as it is). Any failure is one line on stderr, its cause then its fix, and exit status 1.
import { parseArgs } from 'node:util';

const DEFAULT_URL = 'http://127.0.0.1:4020';

const USAGE =
  'usage: npm run -s token -- --sub <id> [--scope "<scopes>"]... [--ttl <duration, e.g. 15m>] ' +
  '(-s keeps npm\'s "> @shopflow/source token" banner off stdout)';

const HELP = `Usage: npm run -s token -- --sub <id> [--scope "<scopes>"]... [--ttl <duration>]

Prints an access token (a JWT) for <id>, and nothing else, from the development identity provider
(tools/identity-provider, which \`npm start\` runs), e.g.
  curl -H "Authorization: Bearer $(npm run -s token -- --sub alice)" http://localhost:3001/catalog

Options:
  --sub    who the token speaks for, e.g. a customer id (required)
  --scope  scopes, space-separated or the option repeated (default: orders; others: catalog:write, admin)
  --ttl    lifetime: 90s, 15m, 1h, 7d (default: 1h; the provider cuts it to its MAX_TTL)

The provider is IDENTITY_PROVIDER_URL (default ${DEFAULT_URL}). Without -s, npm prints its
"> @shopflow/source token" banner on stdout before the token.`;

/** A failure the user can act on: the one line that says so. */
class Failure extends Error {}

async function main(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        sub: { type: 'string' },
        scope: { type: 'string', multiple: true },
        ttl: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    // node:util's message names the option; its hint about '--' does not apply here.
    throw new Failure(`${(error as Error).message.replace(/\. To specify a positional argument.*$/s, '')}: ${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  if (values.sub === undefined) throw new Failure(`--sub is missing: ${USAGE}`);
  const base = process.env['IDENTITY_PROVIDER_URL'] || DEFAULT_URL;
  if (!URL.canParse(base))
    throw new Failure(`IDENTITY_PROVIDER_URL ${JSON.stringify(base)} is not a URL: set it to e.g. ${DEFAULT_URL}`);
  const scope = values.scope?.join(' ');
  const body = {
    sub: values.sub,
    ...(scope !== undefined && { scope }),
    ...(values.ttl !== undefined && { ttl: values.ttl }),
  };

  let res: Response;
  try {
    res = await fetch(new URL('tokens', base.endsWith('/') ? base : `${base}/`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    if ((error as Error).name === 'TimeoutError')
      throw new Failure(
        `the identity provider at ${base} did not answer within 10 s: check that it runs, or set IDENTITY_PROVIDER_URL`,
      );
    throw new Failure(
      `no identity provider answers at ${base}: start the system with \`npm start\` (it runs one), or set IDENTITY_PROVIDER_URL`,
    );
  }
  const text = await res.text();
  const answer = parseJson(text);
  if (res.status === 201 && typeof answer?.['access_token'] === 'string') {
    process.stdout.write(`${answer['access_token']}\n`);
    return;
  }
  const detail = typeof answer?.['detail'] === 'string' ? answer['detail'] : undefined;
  if (res.status === 404)
    throw new Failure(
      `${base} has no token endpoint (404 on POST ${res.url}): set IDENTITY_PROVIDER_URL to the identity provider's own address, e.g. ${DEFAULT_URL}`,
    );
  if (res.status >= 400 && res.status < 500 && detail !== undefined)
    throw new Failure(`the identity provider at ${base} refused: ${detail}`);
  throw new Failure(
    `${base} answered ${res.status} ${detail ?? (res.statusText || 'without a token')}: ` +
      'check that IDENTITY_PROVIDER_URL points at the identity provider (tools/identity-provider)',
  );
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const line =
    error instanceof Failure
      ? error.message
      : `token: unexpected failure: ${String((error as Error)?.message ?? error)}`;
  process.stderr.write(`${line.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exitCode = 1;
});
