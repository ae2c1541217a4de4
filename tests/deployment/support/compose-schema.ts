import Ajv from 'ajv';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The Compose Specification JSON schema that ships with Debian's docker-compose package (the one
 * `docker-compose config` itself validates with), found through its Python module.
 */
export function composeSpecSchemaPath(): string {
  const debian = '/usr/lib/python3/dist-packages/compose/config/compose_spec.json';
  if (fs.existsSync(debian)) return debian;
  // Elsewhere: docker-compose is a Python program, ask its own interpreter (its shebang) where its package is.
  const which = spawnSync('sh', ['-c', 'command -v docker-compose'], { encoding: 'utf8' });
  const program = which.stdout.trim();
  const shebang = program ? /^#!\s*(\S+)/.exec(fs.readFileSync(program, 'utf8').split('\n', 1)[0] ?? '') : null;
  const located = shebang?.[1]
    ? spawnSync(shebang[1], ['-c', 'import os, compose.config; print(os.path.dirname(compose.config.__file__))'], {
        encoding: 'utf8',
      })
    : undefined;
  const file = path.join(located?.stdout.trim() ?? '', 'compose_spec.json');
  if (located?.status !== 0 || !fs.existsSync(file)) {
    throw new Error(
      'the Compose Specification schema (compose/config/compose_spec.json of the docker-compose package) was not found.\n' +
        'Install docker-compose with `apt-get install -y docker-compose` (.ci/run does).',
    );
  }
  return file;
}

/** Go duration strings, as Compose parses them: 10s, 1m30s, 500ms. */
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

export function composeSpecValidator(): Ajv.ValidateFunction {
  const schema = JSON.parse(fs.readFileSync(composeSpecSchemaPath(), 'utf8')) as Record<string, unknown>;
  // Written as draft 2019-09 but uses draft-04 `id`s: Ajv 6 reads it as such (and knows neither meta-schema).
  delete schema['$schema'];
  const ajv = new Ajv({ schemaId: 'auto', allErrors: true, logger: false });
  ajv.addFormat('duration', DURATION);
  // Port, expose and subnet syntaxes are checked by `docker-compose config` itself.
  for (const format of ['ports', 'expose', 'subnet_ip_address']) ajv.addFormat(format, () => true);
  return ajv.compile(schema);
}

export const describeErrors = (validate: Ajv.ValidateFunction): string =>
  (validate.errors ?? []).map((error) => `${error.dataPath || '(root)'} ${error.message ?? ''}`).join('\n');
