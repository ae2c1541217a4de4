import { minimatch } from 'minimatch';

export interface Instruction {
  keyword: string;
  /** The rest of the line, continuations joined, build args substituted. */
  value: string;
}

export interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/**
 * Splits a Dockerfile into stages of instructions. ARGs declared before the first FROM (with their
 * defaults) are substituted as `${NAME}`/`$NAME` everywhere, which is what the build does when no
 * --build-arg overrides them.
 */
export function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  const substitute = (value: string) =>
    value.replace(
      /\$\{(\w+)\}|\$(\w+)/g,
      (whole, braced?: string, bare?: string) => args[braced ?? bare ?? ''] ?? whole,
    );
  for (const line of logical) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = keyword.toUpperCase();
    if (upper === 'ARG' && stages.length === 0) {
      const [name = '', value = ''] = rest.split('=');
      args[name.trim()] = value.trim();
      continue;
    }
    if (upper === 'FROM') {
      const [from = '', as, name] = substitute(rest).split(/\s+/);
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
      continue;
    }
    stages[stages.length - 1]?.instructions.push({ keyword: upper, value: substitute(rest) });
  }
  return { args, stages };
}

export const instructionsOf = (stage: Stage, keyword: string): string[] =>
  stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.value);

/**
 * The environment a stage's ENV instructions give its containers (`KEY=value` pairs, or the old
 * `KEY value` form; quotes around values are not supported), including the stages it is built FROM.
 */
export function stageEnvironment(stages: Stage[], stage: Stage): Record<string, string> {
  const parent = stages.find((s) => s.name === stage.from && s !== stage);
  const env: Record<string, string> = parent ? stageEnvironment(stages, parent) : {};
  for (const value of instructionsOf(stage, 'ENV')) {
    if (!value.includes('=')) {
      const [key = '', ...rest] = value.split(/\s+/);
      env[key] = rest.join(' ');
      continue;
    }
    for (const pair of value.split(/\s+/)) {
      const [key = '', ...rest] = pair.split('=');
      env[key] = rest.join('=');
    }
  }
  return env;
}

/** COPY sources taken from the build context (not --from another stage). */
export function contextCopySources(stage: Stage): string[] {
  return instructionsOf(stage, 'COPY')
    .filter((value) => !/--from=/.test(value))
    .flatMap((value) => {
      const parts = value.split(/\s+/).filter((part) => !part.startsWith('--'));
      return parts.slice(0, -1);
    });
}

/**
 * Whether .dockerignore keeps `file` (a repository-relative path) out of the build context: the
 * last pattern matching the file or one of its parent folders decides, `!` re-includes.
 */
export function dockerIgnores(dockerignore: string, file: string): boolean {
  const patterns = dockerignore
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const segments = file.split('/');
  const candidates = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const glob = (negated ? pattern.slice(1) : pattern).replace(/^\/+/, '').replace(/\/+$/, '');
    // A pattern matching a folder excludes everything in it; a re-include must name the file itself.
    const matches = negated
      ? minimatch(file, glob, { dot: true })
      : candidates.some((c) => minimatch(c, glob, { dot: true }));
    if (matches) ignored = !negated;
  }
  return ignored;
}

/** The folder a stage's containers start in: its last WORKDIR, or the one of the stage it is built FROM. */
export function stageWorkdir(stages: Stage[], stage: Stage): string | undefined {
  const own = instructionsOf(stage, 'WORKDIR').at(-1);
  if (own !== undefined) return own;
  const parent = stages.find((s) => s.name === stage.from && s !== stage);
  return parent ? stageWorkdir(stages, parent) : undefined;
}

/** COPY --from=<stage> sources: `[stage, source]` for each file or folder a stage takes from another. */
export function stageCopySources(stage: Stage): [string, string][] {
  return instructionsOf(stage, 'COPY').flatMap((value) => {
    const from = /--from=(\S+)/.exec(value)?.[1];
    if (!from) return [];
    const parts = value.split(/\s+/).filter((part) => !part.startsWith('--'));
    return parts.slice(0, -1).map((source): [string, string] => [from, source]);
  });
}
