import type { AuthUser } from '../store/repositories/users.js';
import type { UserRole } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { TtlCache } from './cache.js';
import type { Clock } from './clock.js';
import { DomainError } from './errors.js';
import { hashSecret, newObjectId, newSecret, secretPrefix } from './ids.js';
import type { Ledger } from './ledger.js';
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

const USERNAME = /^[A-Za-z0-9_.@-]{3,64}$/;

export class UserService {
  /** API key -> user: every API call authenticates, and keys rarely change. */
  private readonly byKey: TtlCache<string, AuthUser>;

  constructor(
    private readonly store: Store,
    private readonly ledger: Ledger,
    private readonly clock: Clock,
    cacheTtlMs: number,
  ) {
    this.byKey = new TtlCache(clock, cacheTtlMs);
  }

  async create(input: NewUser): Promise<CreatedUser> {
    if (!USERNAME.test(input.username)) {
      throw new DomainError('INVALID_INPUT', 'A username is 3 to 64 letters, digits or _ . @ -');
    }
    if (input.password !== undefined && input.password.length < 8) {
      throw new DomainError('INVALID_INPUT', 'A password has at least 8 characters');
    }
    if (input.balance !== undefined && (!Number.isSafeInteger(input.balance) || input.balance < 0)) {
      throw new DomainError('INVALID_INPUT', 'An opening balance is a whole, non-negative number of cents');
    }
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    const apiKey = newSecret();
    const now = this.clock.now();
    const publicId = newObjectId(now);
    try {
      const id = await this.store.transaction(async (repos) => {
        const userId = await repos.users.insert({
          public_id: publicId,
          username: input.username,
          password_hash: passwordHash,
          api_key_hash: hashSecret(apiKey),
          api_key_prefix: secretPrefix(apiKey),
          role: input.role ?? 'user',
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
    const ok = user?.password_hash ? await verifyPassword(password, user.password_hash) : false;
    if (!user || !ok || user.disabled) throw new DomainError('UNAUTHORIZED', 'Wrong username or password');
    return user;
  }

  /** A new key replaces the old one at once; the old one stops working. */
  async rotateApiKey(userId: number): Promise<string> {
    const apiKey = newSecret();
    await this.store.read.users.replaceApiKey(userId, hashSecret(apiKey), secretPrefix(apiKey), this.clock.now());
    // The cache holds keys, not users: forget them all (rotations are rare) so the old key dies now.
    this.byKey.clear();
    return apiKey;
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

  async findByUsername(username: string): Promise<AuthUser> {
    const user = await this.store.read.users.findByUsername(username);
    if (!user) throw new DomainError('NOT_FOUND', `No user ${username}`);
    return user;
  }

  async count(): Promise<number> {
    return this.store.read.users.count();
  }

  /** An admin's balance correction (positive or negative), as a transfer. */
  async adjustBalance(userId: number, amount: number, note: string): Promise<number> {
    return this.store.transaction((repos) => this.ledger.adjust(repos, { userId, amount, note, now: this.clock.now() }));
  }
}
