import type { AuthUser, UserWithAccount } from '../store/repositories/users.js';
import type { UserRole, UserRow } from '../store/schema.js';
import type { Repositories, Store } from '../store/store.js';
import type { Actor, AuditLog } from './audit.js';
import { TtlCache, type CacheSync } from './cache.js';
import type { Clock } from './clock.js';
import type { DomainConfig } from './config.js';
import { DomainError } from './errors.js';
import { hashSecret, newObjectId, newSecret, secretPrefix } from './ids.js';
import { MAX_AMOUNT, type Ledger } from './ledger.js';
import { MAX_PAGE_SIZE, toOffset, type PageRequest } from './paging.js';
import { hashPassword, verifyPassword } from './passwords.js';

export type { AuthUser };

export interface NewUser {
  username: string;
  password?: string | undefined;
  role?: UserRole | undefined;
  email?: string | undefined;
  mobile?: string | undefined;
  tg?: string | undefined;
  /** Opening balance in cents, booked as an admin adjustment. */
  balance?: number | undefined;
}

export interface CreatedUser {
  id: number;
  publicId: string;
  username: string;
  /** Shown once; only its hash is kept. */
  apiKey: string;
}

export interface UserInfo {
  publicId: string;
  username: string;
  mobile: string;
  email: string;
  role: UserRole;
  tg: string;
  balance: number;
}

/** A user as admins list them. `balance` is available money (posted minus held), as the API shows it. */
export interface UserSummary {
  publicId: string;
  username: string;
  email: string;
  role: UserRole;
  disabled: boolean;
  balance: number;
  held: number;
  activeOrders: number;
  createdAt: number;
}

/** A user's own limits; null where the operator's default applies. */
export interface UserLimits {
  /** Live orders at once (0: no cap). */
  maxActiveOrders: number | null;
  /** API requests per minute. */
  rateLimit: number | null;
}

export interface UserDetails extends UserSummary {
  mobile: string;
  tg: string;
  /** The start of the API key, to recognise it by. */
  apiKeyPrefix: string;
  limits: UserLimits;
  /** The live-order cap in force: the user's own, else the operator's (0: no cap). */
  activeOrderCap: number;
  /** The user's own prices, by project. */
  prices: { myPid: number; enname: string; price: number }[];
  updatedAt: number;
}

/** A customer's account as the 5SIM profile shows it. Money in cents. */
export interface AccountProfile {
  id: number;
  username: string;
  email: string;
  /** Available: posted money minus open holds. */
  balance: number;
  /** Held for live orders still waiting for their SMS. */
  held: number;
  activeOrders: number;
  /** The customer's latest order, if any. */
  lastOrder: { country: string; service: string; operator: string; myPid: number; price: number } | null;
}

/** A move of a customer's posted money: a recharge, an admin's adjustment, or an order's charge. Cents. */
export interface Payment {
  /** The ledger transfer's id. */
  id: number;
  kind: 'recharge' | 'adjustment' | 'charge';
  /** Into the balance (positive) or out of it (negative). */
  amount: number;
  /** The posted balance right after it. */
  balance: number;
  /** A recharge's payment method; for a charge, the service of the order's project. */
  source: string;
  createdAt: number;
}

/** The highest own limits an admin may set: guards against typos, not business rules. */
export const MAX_ACTIVE_ORDERS_LIMIT = 1_000_000;
export const MAX_RATE_LIMIT = 1_000_000;

const USERNAME = /^[A-Za-z0-9_.@-]{3,64}$/;

/** A plausible address (something@domain.tld); whether it receives mail is another matter. */
export const isEmail = (email: string): boolean => email.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);

/** The user with this username, or NOT_FOUND. */
export async function userNamed(read: Repositories, username: string): Promise<UserRow> {
  const user = await read.users.findByUsername(username);
  if (!user) throw new DomainError('NOT_FOUND', `No user ${username}`);
  return user;
}

const toSummary = (u: UserWithAccount): UserSummary => ({
  publicId: u.public_id,
  username: u.username,
  email: u.email,
  role: u.role,
  disabled: u.disabled === 1,
  balance: u.balance - u.held,
  held: u.held,
  activeOrders: u.active_orders,
  createdAt: u.created_at,
});

function checkLimit(value: number | null | undefined, name: string, min: number, max: number): void {
  if (value === null || value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) throw new DomainError('INVALID_INPUT', `${name} is a whole number from ${min} to ${max}`);
}

function checkPassword(password: string): void {
  if (password.length < 8) throw new DomainError('INVALID_INPUT', 'A password has at least 8 characters');
  if (password.length > 1024) throw new DomainError('INVALID_INPUT', 'A password has at most 1024 characters');
}

/** The CacheSync name of the API key cache. */
const API_KEYS = 'api-keys';

export class UserService {
  /** API key -> user: every API call authenticates, and keys rarely change. */
  private readonly byKey: TtlCache<string, AuthUser>;
  /** What an unknown username's password is checked against, made at the first sign-in. */
  private decoyHash: Promise<string> | undefined;

  constructor(
    private readonly store: Store,
    private readonly ledger: Ledger,
    private readonly clock: Clock,
    private readonly config: DomainConfig,
    private readonly audit: AuditLog,
    private readonly caches: CacheSync,
  ) {
    this.byKey = new TtlCache(clock, config.cacheTtlMs);
    caches.register(API_KEYS, () => this.byKey.clear());
  }

  /** `by`: the admin creating the account (recorded); none for a customer's own sign-up. */
  async create(input: NewUser, by?: Actor): Promise<CreatedUser> {
    if (!USERNAME.test(input.username)) {
      throw new DomainError('INVALID_INPUT', 'A username is 3 to 64 letters, digits or _ . @ -');
    }
    if (input.password !== undefined) checkPassword(input.password);
    if (input.email !== undefined && !isEmail(input.email)) throw new DomainError('INVALID_INPUT', `${input.email} is not an email address`);
    if (input.balance !== undefined && (!Number.isSafeInteger(input.balance) || input.balance < 0 || input.balance > MAX_AMOUNT)) {
      throw new DomainError('INVALID_INPUT', `An opening balance is a whole number of cents from 0 to ${MAX_AMOUNT}`);
    }
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    const apiKey = newSecret();
    const now = this.clock.now();
    const publicId = newObjectId(now);
    try {
      const role = input.role ?? 'user';
      const id = await this.audit.change(by, { action: 'user.create', target: `user:${input.username}` }, {
        change: async (repos) => {
          const userId = await repos.users.insert({
            public_id: publicId,
            username: input.username,
            password_hash: passwordHash,
            api_key_hash: hashSecret(apiKey),
            api_key_prefix: secretPrefix(apiKey),
            role,
            email: input.email ?? '',
            mobile: input.mobile ?? '',
            tg: input.tg ?? '',
            disabled: 0,
            created_at: now,
            updated_at: now,
          });
          await repos.accounts.insert('user', { userId });
          if (input.balance) await this.ledger.adjust(repos, { userId, amount: input.balance, note: 'opening balance', now });
          return userId;
        },
        after: () => ({ username: input.username, role, email: input.email ?? '', balance: input.balance ?? 0 }),
      });
      return { id, publicId, username: input.username, apiKey };
    } catch (error) {
      if (this.store.isUniqueViolation(error)) throw new DomainError('ALREADY_EXISTS', `The username ${input.username} is taken`);
      throw error;
    }
  }

  /** Every API call starts here: the key's hash finds the user. */
  async authenticate(apiKey: string): Promise<AuthUser> {
    // Keyed by the key itself, so a cache hit costs no hashing; the database only ever sees the hash.
    const user = apiKey ? await this.byKey.get(apiKey, () => this.store.read.users.findByKeyHash(hashSecret(apiKey))) : undefined;
    if (!user || user.disabled) throw new DomainError('UNAUTHORIZED', 'No user found.');
    return user;
  }

  async login(username: string, password: string): Promise<AuthUser> {
    const user = await this.store.read.users.findByUsername(username);
    // An unknown user costs the same hashing as a known one: the time taken tells no username.
    const ok = await verifyPassword(password, user?.password_hash ?? (await (this.decoyHash ??= hashPassword('not anyone\'s password'))));
    if (!user?.password_hash || !ok || user.disabled) throw new DomainError('UNAUTHORIZED', 'Wrong username or password');
    return user;
  }

  /** A customer opens an account on the web, when the operator lets them (SIGNUP=open). */
  async signUp(input: { username: string; password: string; email?: string | undefined }): Promise<CreatedUser> {
    if (!this.config.signUpOpen) throw new DomainError('FORBIDDEN', 'Sign-up is closed: ask the operator for an account');
    return this.create({ username: input.username, password: input.password, email: input.email, role: 'user' });
  }

  /** A new password, given the current one; every session of the user ends (the caller may start a new one). */
  async changePassword(userId: number, current: string, next: string): Promise<void> {
    checkPassword(next);
    const user = await this.store.read.users.findById(userId);
    if (!user?.password_hash || !(await verifyPassword(current, user.password_hash))) {
      throw new DomainError('INVALID_INPUT', 'The current password is wrong');
    }
    const passwordHash = await hashPassword(next);
    await this.store.transaction(async (repos) => {
      await repos.users.update(userId, { password_hash: passwordHash, updated_at: this.clock.now() });
      await repos.sessions.deleteForUser(userId);
    });
  }

  /** A new key replaces the old one at once; the old one stops working. */
  async rotateApiKey(username: string, by?: Actor): Promise<string> {
    const apiKey = newSecret();
    await this.change(username, { api_key_hash: hashSecret(apiKey), api_key_prefix: secretPrefix(apiKey) }, {
      action: 'user.rotate_key',
      by,
      state: (u) => ({ apiKeyPrefix: u.api_key_prefix }),
    });
    return apiKey;
  }

  /** A disabled user's API key, password and web sessions stop working (`No user found.`); nothing else changes. */
  async setDisabled(username: string, disabled: boolean, by?: Actor): Promise<UserDetails> {
    await this.change(username, { disabled: disabled ? 1 : 0 }, { action: disabled ? 'user.disable' : 'user.enable', by, state: (u) => ({ disabled: u.disabled === 1 }) });
    return this.show(username);
  }

  /** Sets or clears (null) the user's own limits; a limit left undefined stays as it is. */
  async setLimits(username: string, limits: Partial<UserLimits>, by?: Actor): Promise<UserDetails> {
    checkLimit(limits.maxActiveOrders, 'The active-order cap', 0, MAX_ACTIVE_ORDERS_LIMIT);
    checkLimit(limits.rateLimit, 'The rate limit', 1, MAX_RATE_LIMIT);
    await this.change(username, { max_active_orders: limits.maxActiveOrders, rate_limit: limits.rateLimit }, {
      action: 'user.limits',
      by,
      state: (u) => ({ maxActiveOrders: u.max_active_orders, rateLimit: u.rate_limit }),
    });
    return this.show(username);
  }

  /** Users by username or email (part of either, any case), oldest first. */
  async list(query: PageRequest & { search?: string | undefined }): Promise<{ count: number; users: UserSummary[] }> {
    const { count, rows } = await this.store.read.users.list({ search: query.search }, toOffset(query));
    return { count, users: rows.map(toSummary) };
  }

  async show(username: string): Promise<UserDetails> {
    const user = await this.store.read.users.findWithAccount(username);
    if (!user) throw new DomainError('NOT_FOUND', `No user ${username}`);
    const prices = await this.store.read.catalog.userPriceList(user.id);
    return {
      ...toSummary(user),
      mobile: user.mobile,
      tg: user.tg,
      apiKeyPrefix: user.api_key_prefix,
      limits: { maxActiveOrders: user.max_active_orders, rateLimit: user.rate_limit },
      activeOrderCap: user.max_active_orders ?? this.config.maxActiveOrders,
      prices: prices.map((p) => ({ myPid: p.project_id, enname: p.enname, price: p.price })),
      updatedAt: user.updated_at,
    };
  }

  /**
   * An admin's change to the user's row, audited with `state`, what admins see of the row, before and
   * after. Disabling ends the user's web sessions in the same transaction. What authentication reads
   * is forgotten at once in this process.
   */
  private async change(
    username: string,
    changes: Partial<Pick<UserRow, 'api_key_hash' | 'api_key_prefix' | 'disabled' | 'max_active_orders' | 'rate_limit'>>,
    audited: { action: string; by: Actor | undefined; state: (user: UserRow) => unknown },
  ): Promise<void> {
    const state = async (repos: Repositories) => audited.state(await userNamed(repos, username));
    await this.audit.change(audited.by, { action: audited.action, target: `user:${username}` }, {
      before: state,
      change: async (repos) => {
        const user = await userNamed(repos, username);
        await repos.users.update(user.id, { ...changes, updated_at: this.clock.now() });
        if (changes.disabled === 1) await repos.sessions.deleteForUser(user.id);
      },
    });
    // The cache holds keys, not users: forget them all (admin changes are rare) so a change applies now,
    // on every process of the cluster.
    this.caches.stale(API_KEYS);
  }

  async info(userId: number): Promise<UserInfo> {
    const [user, balance] = await Promise.all([
      this.store.read.users.findById(userId),
      this.store.read.accounts.availableForUser(userId),
    ]);
    if (!user) throw new DomainError('NOT_FOUND', 'No user found.');
    return {
      publicId: user.public_id,
      username: user.username,
      mobile: user.mobile,
      email: user.email,
      role: user.role,
      tg: user.tg,
      balance: balance ?? 0,
    };
  }

  /** The customer's balance, holds, live orders and latest order (5SIM's profile). */
  async profile(userId: number): Promise<AccountProfile> {
    const read = this.store.read;
    const [user, account, latest] = await Promise.all([
      read.users.findById(userId),
      read.accounts.findByUser(userId),
      read.orders.list({ userId }, { offset: 0, limit: 1 }),
    ]);
    if (!user || !account) throw new DomainError('NOT_FOUND', 'No user found.');
    const last = latest.rows[0];
    return {
      id: user.id,
      username: user.username,
      email: user.email,
      balance: account.balance - account.held,
      held: account.held,
      activeOrders: account.active_orders,
      lastOrder: last ? { country: last.country, service: last.service, operator: last.operator, myPid: last.project_id, price: last.price } : null,
    };
  }

  /**
   * The moves of the customer's posted money, from the ledger, by id (oldest first unless
   * `newestFirst`): recharges, admin adjustments and the charges of orders that got their SMS. Holds
   * and their refunds never moved posted money, so they are not listed.
   */
  async payments(userId: number, query: { offset: number; limit: number; newestFirst: boolean }): Promise<{ total: number; payments: Payment[] }> {
    const account = await this.store.read.accounts.findByUser(userId);
    if (!account) throw new DomainError('NOT_FOUND', 'No user found.');
    const offset = Math.max(0, Math.trunc(query.offset));
    const limit = Math.min(Math.max(1, Math.trunc(query.limit)), MAX_PAGE_SIZE);
    const { count, rows } = await this.store.read.transfers.statement(account.id, { offset, limit }, query.newestFirst ? 'desc' : 'asc');
    return {
      total: count,
      payments: rows.map((r) => ({
        id: r.id,
        kind: r.kind as Payment['kind'],
        amount: r.amount,
        balance: r.balance,
        source: r.kind === 'recharge' ? (r.payment ?? '') : r.kind === 'charge' ? (r.service ?? '') : 'admin',
        createdAt: r.created_at,
      })),
    };
  }

  async count(): Promise<number> {
    return this.store.read.users.count();
  }

  /** An admin's balance correction (positive or negative), as a transfer. Returns the available balance. */
  async adjustBalance(username: string, amount: number, note: string, by?: Actor): Promise<number> {
    const money = async (repos: Repositories) => {
      const user = await repos.users.findWithAccount(username);
      return user && { balance: user.balance - user.held, held: user.held };
    };
    return this.audit.change(by, { action: 'user.adjust_balance', target: `user:${username}` }, {
      before: money,
      change: async (repos) => {
        const user = await userNamed(repos, username);
        return this.ledger.adjust(repos, { userId: user.id, amount, note, now: this.clock.now() });
      },
      after: async (_balance, repos) => ({ ...(await money(repos)), amount, note }),
    });
  }
}
