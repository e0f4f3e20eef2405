// Web sessions: a browser signs in with a username and password (and, where a user turned it on, a
// TOTP code) and gets a random token for a cookie. Sessions live in the database so that any node
// knows them and so that they can be revoked: on sign-out, on a password change, when an admin
// disables the user.
import { randomBytes } from 'node:crypto';
import type { UserRole } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { Clock } from './clock.js';
import { DomainError } from './errors.js';
import { hashSecret } from './ids.js';
import { newTotpSecret, otpauthUri, stepOfCode } from './totp.js';
import type { UserService } from './users.js';

/** A session ends after a week without use. */
export const SESSION_IDLE_MS = 7 * 86_400_000;
/** Using a session moves its end forward at most this often: not a write per request. */
const EXTEND_EVERY_MS = 3_600_000;

/** Who a session belongs to, as every web request needs it. */
export interface WebSession {
  userId: number;
  username: string;
  role: UserRole;
  /** The page sends it back on every state-changing call. */
  csrfToken: string;
  /** The user's own API rate limit, which web calls count against too. */
  rateLimit: number | null;
}

export interface StartedSession {
  /** For the cookie; only its hash is stored. */
  token: string;
  session: WebSession;
}

/** Shown by authenticator apps beside the account. */
const TOTP_ISSUER = 'fastpva';
const WRONG_CODE = 'Wrong code: enter the current code from your authenticator app';

const randomToken = (bytes: number) => randomBytes(bytes).toString('base64url');

export class SessionService {
  constructor(
    private readonly store: Store,
    private readonly users: UserService,
    private readonly clock: Clock,
  ) {}

  /**
   * Password first; a user with a second factor must then give its current code. A missing or wrong
   * code is UNAUTHORIZED with `details.secondFactor` ('required' or 'wrong') so the page can ask for it.
   */
  async signIn(username: string, password: string, code?: string): Promise<StartedSession> {
    const user = await this.users.login(username, password);
    const totp = await this.store.read.sessions.findTotp(user.id);
    if (totp?.enabled_at != null) {
      if (!code) throw new DomainError('UNAUTHORIZED', 'Enter the code from your authenticator app', { secondFactor: 'required' });
      if (!(await this.useCode(user.id, totp.secret, code))) throw new DomainError('UNAUTHORIZED', WRONG_CODE, { secondFactor: 'wrong' });
    }
    return this.start(user.id);
  }

  /** A new session for a user already proven (signed in, or just signed up or changed password). */
  async start(userId: number): Promise<StartedSession> {
    const token = randomToken(32);
    const now = this.clock.now();
    const csrfToken = randomToken(24);
    await this.store.transaction(async (repos) => {
      await repos.sessions.deleteExpired(now);
      await repos.sessions.insert({ token_hash: hashSecret(token), user_id: userId, csrf_token: csrfToken, created_at: now, expires_at: now + SESSION_IDLE_MS });
    });
    const session = await this.authenticate(token);
    if (!session) throw new DomainError('UNAUTHORIZED', 'Wrong username or password');
    return { token, session };
  }

  /** The session of a cookie's token; undefined when it is unknown, expired or its user disabled. */
  async authenticate(token: string): Promise<WebSession | undefined> {
    if (!token) return undefined;
    const tokenHash = hashSecret(token);
    const row = await this.store.read.sessions.find(tokenHash);
    const now = this.clock.now();
    if (!row || row.expires_at <= now || row.disabled) return undefined;
    if (row.expires_at - now < SESSION_IDLE_MS - EXTEND_EVERY_MS) await this.store.read.sessions.extend(tokenHash, now + SESSION_IDLE_MS);
    return { userId: row.user_id, username: row.username, role: row.role, csrfToken: row.csrf_token, rateLimit: row.rate_limit };
  }

  async signOut(token: string): Promise<void> {
    if (token) await this.store.read.sessions.delete(hashSecret(token));
  }

  /** Whether the user's sign-in asks for a TOTP code. */
  async secondFactorEnabled(userId: number): Promise<boolean> {
    return (await this.store.read.sessions.findTotp(userId))?.enabled_at != null;
  }

  /** A new secret for the user's authenticator app; it is asked at sign-in once confirmed with a code. */
  async setUpSecondFactor(userId: number): Promise<{ secret: string; uri: string }> {
    if (await this.secondFactorEnabled(userId)) throw new DomainError('ALREADY_EXISTS', 'The second factor is already on; turn it off first');
    const user = await this.users.info(userId);
    const secret = newTotpSecret();
    await this.store.read.sessions.putTotp(userId, secret);
    return { secret, uri: otpauthUri(TOTP_ISSUER, user.username, secret) };
  }

  /** The first code from the app proves it holds the secret; from then on sign-in asks for one. */
  async enableSecondFactor(userId: number, code: string): Promise<void> {
    const totp = await this.store.read.sessions.findTotp(userId);
    if (!totp) throw new DomainError('NOT_FOUND', 'Set up the second factor first');
    if (totp.enabled_at !== null) throw new DomainError('ALREADY_EXISTS', 'The second factor is already on');
    if (!(await this.useCode(userId, totp.secret, code, this.clock.now()))) throw new DomainError('INVALID_INPUT', WRONG_CODE);
  }

  /** Turning it off takes a current code, so that a session left open cannot. */
  async disableSecondFactor(userId: number, code: string): Promise<void> {
    const totp = await this.store.read.sessions.findTotp(userId);
    if (totp?.enabled_at == null) throw new DomainError('NOT_FOUND', 'The second factor is not on');
    if (!(await this.useCode(userId, totp.secret, code))) throw new DomainError('INVALID_INPUT', WRONG_CODE);
    await this.store.read.sessions.deleteTotp(userId);
  }

  /** Accepts a code once: a code seen before (or an older one) is refused like a wrong one. */
  private async useCode(userId: number, secret: string, code: string, enableAt?: number): Promise<boolean> {
    const step = stepOfCode(secret, code, this.clock.now());
    return step !== undefined && (await this.store.read.sessions.useTotpStep(userId, step, enableAt));
  }
}
