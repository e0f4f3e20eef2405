// A browser's side of the web API over inject(): a cookie jar, and the CSRF token the page keeps.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export class WebClient {
  readonly cookies = new Map<string, string>();
  csrfToken = '';

  constructor(
    private readonly app: FastifyInstance,
    /** Sent with every request (e.g. x-forwarded-proto). */
    private readonly headers: Record<string, string> = {},
  ) {}

  /** Any call; state-changing ones carry the CSRF token unless `csrf: false`. Keeps the cookies it is given. */
  async request(method: Method, path: string, body?: unknown, options: { csrf?: boolean } = {}): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...this.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (method !== 'GET' && options.csrf !== false) headers['x-csrf-token'] = this.csrfToken;
    const response = await this.app.inject({ method, url: `/api/web${path}`, headers, ...(body === undefined ? {} : { payload: body as object }) });
    for (const cookie of response.cookies as { name: string; value: string; maxAge?: number }[]) {
      if (cookie.maxAge === 0) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    const token = response.headers['content-type']?.startsWith('application/json') ? (response.json() as { csrfToken?: unknown }).csrfToken : undefined;
    if (typeof token === 'string') this.csrfToken = token;
    return response;
  }

  /** A call that must succeed; its JSON. */
  async ok<T = any>(method: Method, path: string, body?: unknown): Promise<T> {
    const response = await this.request(method, path, body);
    if (response.statusCode !== 200) throw new Error(`${method} ${path}: ${response.statusCode} ${response.body}`);
    return response.json() as T;
  }

  /** Opens the page (its CSRF token), then signs in. */
  async signIn(username: string, password: string, code?: string): Promise<LightMyRequestResponse> {
    await this.request('GET', '/session');
    return this.request('POST', '/session', { username, password, ...(code ? { code } : {}) });
  }
}
