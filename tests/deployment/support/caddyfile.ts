/**
 * A small reader of the Caddyfile syntax this repository uses: directives with arguments, nested
 * `{ }` blocks, snippets `(name) { }` with `import name args...` and `{args[N]}`, comments, and
 * "quoted" or `backquoted` tokens. Enough to answer "where does the gateway send this path?".
 */
export interface Directive {
  name: string;
  args: string[];
  block: Directive[];
  line: number;
}

function tokenizeLine(line: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < line.length) {
    const char = line.charAt(i);
    if (/\s/.test(char)) {
      i++;
    } else if (char === '#') {
      break;
    } else if (char === '"' || char === '`') {
      const end = line.indexOf(char, i + 1);
      if (end < 0) throw new Error(`unterminated ${char} in: ${line}`);
      tokens.push(line.slice(i + 1, end));
      i = end + 1;
    } else {
      let end = i;
      while (end < line.length && !/\s/.test(line.charAt(end))) end++;
      tokens.push(line.slice(i, end));
      i = end;
    }
  }
  return tokens;
}

export function parseCaddyfile(text: string): Directive[] {
  const root: Directive[] = [];
  const stack: Directive[][] = [root];
  text.split('\n').forEach((raw, index) => {
    const tokens = tokenizeLine(raw);
    if (tokens.length === 0) return;
    const current = stack.at(-1) ?? root;
    if (tokens.length === 1 && tokens[0] === '}') {
      if (stack.length === 1) throw new Error(`line ${index + 1}: unbalanced }`);
      stack.pop();
      return;
    }
    const opens = tokens[tokens.length - 1] === '{';
    const words = opens ? tokens.slice(0, -1) : tokens;
    const directive: Directive = { name: words[0] ?? '', args: words.slice(1), block: [], line: index + 1 };
    current.push(directive);
    if (opens) stack.push(directive.block);
  });
  if (stack.length !== 1) throw new Error('unbalanced { in Caddyfile');
  return root;
}

/** Inlines `import <snippet> args...`, replacing {args[N]} by the import's arguments. */
export function expandImports(directives: Directive[], snippets: Map<string, Directive[]>): Directive[] {
  return directives.flatMap((directive) => {
    const snippet = directive.name === 'import' ? snippets.get(directive.args[0] ?? '') : undefined;
    if (snippet) {
      const args = directive.args.slice(1);
      const substitute = (token: string) =>
        token.replace(/\{args\[(\d+)\]\}/g, (_, n: string) => args[Number(n)] ?? '');
      const instantiate = (d: Directive): Directive => ({
        ...d,
        name: substitute(d.name),
        args: d.args.map(substitute),
        block: d.block.map(instantiate),
      });
      return expandImports(snippet.map(instantiate), snippets);
    }
    return [{ ...directive, block: expandImports(directive.block, snippets) }];
  });
}

export interface GatewayRoute {
  /** The `handle` path matcher; undefined for the catch-all. */
  matcher: string | undefined;
  stripPrefix?: string;
  upstream?: { kind: 'dynamic a' | 'static'; host: string; port: number; lbPolicy?: string; refresh?: string };
  respond?: { status: number; body?: string };
}

/** The `handle` routes of the site block listening on `address` (e.g. ":8080"). */
export function gatewayRoutes(caddyfile: string, address: string): GatewayRoute[] {
  const top = parseCaddyfile(caddyfile);
  const snippets = new Map(
    top.filter((d) => /^\(.+\)$/.test(d.name) && d.args.length === 0).map((d) => [d.name.slice(1, -1), d.block]),
  );
  const site = top.find((d) => d.name === address);
  if (!site) throw new Error(`no site block ${address} in the Caddyfile`);
  return expandImports(site.block, snippets)
    .filter((d) => d.name === 'handle')
    .map((handle) => {
      const route: GatewayRoute = { matcher: handle.args[0] };
      for (const d of handle.block) {
        if (d.name === 'uri' && d.args[0] === 'strip_prefix') route.stripPrefix = d.args[1];
        if (d.name === 'respond') {
          const status = Number(d.args[d.args.length - 1]);
          route.respond = { status, body: d.args.length > 1 ? d.args[0] : undefined };
        }
        if (d.name === 'reverse_proxy') route.upstream = upstreamOf(d);
      }
      return route;
    });
}

function upstreamOf(proxy: Directive): GatewayRoute['upstream'] {
  const option = (name: string) => proxy.block.find((d) => d.name === name);
  const dynamic = option('dynamic');
  if (dynamic && dynamic.args[0] === 'a') {
    const refresh = dynamic.block.find((d) => d.name === 'refresh')?.args[0];
    return {
      kind: 'dynamic a',
      host: dynamic.args[1] ?? '',
      port: Number(dynamic.args[2]),
      lbPolicy: option('lb_policy')?.args[0],
      refresh,
    };
  }
  const [host = '', port = ''] = (proxy.args[0] ?? '').replace(/^https?:\/\//, '').split(':');
  return { kind: 'static', host, port: Number(port), lbPolicy: option('lb_policy')?.args[0] };
}

/** Caddy's path matcher: `*` matches anything (prefix `/x*`, `/x/*`), otherwise exact; case-insensitive. */
export function pathMatches(pattern: string, requestPath: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return regex.test(requestPath);
}

/**
 * The route Caddy picks for a path: `handle` blocks are mutually exclusive and tried most specific
 * first (longer path matcher first), the block without a matcher last.
 */
export function routeFor(routes: GatewayRoute[], requestPath: string): GatewayRoute | undefined {
  const ordered = [...routes].sort((a, b) => (b.matcher?.length ?? -1) - (a.matcher?.length ?? -1));
  return ordered.find((route) => route.matcher === undefined || pathMatches(route.matcher, requestPath));
}
