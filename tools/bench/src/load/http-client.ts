import http from 'node:http';

export interface JsonResponse<T = unknown> {
  status: number;
  body: T;
  /** The Retry-After header, when the server sent one (a refusal under overload). */
  retryAfter?: string;
}

/**
 * A keep-alive JSON client on node:http. The bench shares the machine with the services, so it
 * uses the cheapest client Node has rather than fetch (undici), which costs noticeably more CPU per request.
 */
export class HttpClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 512, maxFreeSockets: 512 });

  async request<T>(
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<JsonResponse<T>> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    try {
      return await this.send<T>(method, url, payload, headers);
    } catch (error) {
      // The server closed an idle keep-alive connection just as we reused it: the request never
      // reached it, so sending it again is safe (the case Node's http documentation retries).
      if (!(error instanceof StaleSocketError)) throw error;
      return this.send<T>(method, url, payload, headers);
    }
  }

  private send<T>(method: string, url: string, payload: Buffer | undefined, headers: Record<string, string>) {
    return new Promise<JsonResponse<T>>((resolve, reject) => {
      const req = http.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            accept: 'application/json',
            ...(payload && { 'content-type': 'application/json', 'content-length': String(payload.length) }),
            ...headers,
          },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const retryAfter = res.headers['retry-after'];
            const extra = retryAfter === undefined ? {} : { retryAfter };
            try {
              resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : undefined) as T, ...extra });
            } catch {
              resolve({ status: res.statusCode ?? 0, body: text as T, ...extra });
            }
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer within 30 s`)));
      req.on('error', (error: NodeJS.ErrnoException) =>
        reject(req.reusedSocket && error.code === 'ECONNRESET' ? new StaleSocketError(error.message) : error),
      );
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

class StaleSocketError extends Error {
  override readonly name = 'StaleSocketError';
}
