// The catalogue: projects (a service on a channel, e.g. Gmail-4, Depop-C6), their prices per
// country and per user, and each user's favourites ("collects").
import type { ProjectUpdate } from '../store/repositories/catalog.js';
import type { RemoteSupplierRow } from '../store/repositories/remote-supply.js';
import type { ProjectRow } from '../store/schema.js';
import type { Repositories, Store } from '../store/store.js';
import type { Actor, AuditLog } from './audit.js';
import { TtlCache, type CacheSync } from './cache.js';
import type { Clock } from './clock.js';
import type { DomainConfig } from './config.js';
import { DomainError } from './errors.js';
import { newObjectId } from './ids.js';
import { MAX_AMOUNT } from './ledger.js';
import { resolveService, withoutChannel } from './otp/services.js';
import { toOffset, type PageRequest } from './paging.js';
import { userNamed } from './users.js';
import { COUNTRIES } from './vocabulary/countries.js';

export interface ProjectView {
  publicId: string;
  myPid: number;
  enname: string;
  channel: number;
  supportCountry: boolean;
  sellingPrice: number;
  /** Per-country prices, by ISO country code in alphabetical order; null for a project without countries. */
  countryPrices: Record<string, number> | null;
  collect: boolean;
  /** The user's own price, where an admin set one. */
  myPrice: number | undefined;
}

/** A project as an admin sees it. */
export interface ProjectDetails {
  publicId: string;
  myPid: number;
  enname: string;
  channel: number;
  service: string;
  enabled: boolean;
  supportCountry: boolean;
  sellingPrice: number;
  countryPrices: Record<string, number> | null;
  createdAt: number;
  updatedAt: number;
}

/** How a project is priced: one price, or a price per country (give one of the two). */
export interface ProjectPricing {
  /** Cents for every number. */
  price?: number | undefined;
  /** Cents per ISO country code; numbers come only from these countries. */
  countryPrices?: Record<string, number> | undefined;
}

export interface NewProject extends ProjectPricing {
  myPid?: number | undefined;
  enname: string;
  channel?: number | undefined;
  /** The brand the code extractor expects; defaults to the name without its channel suffix. */
  service?: string | undefined;
}

/** What an admin changes on a project; a new price or country list replaces the old pricing whole. */
export interface ProjectChanges extends ProjectPricing {
  enname?: string | undefined;
  channel?: number | undefined;
  service?: string | undefined;
}

/** What an order on this project costs and where its number may come from. */
export interface OrderTerms {
  project: ProjectRow;
  /** Allowed number countries; undefined = any. */
  countries: string[] | undefined;
  priceIn(country: string): number;
  /** The enabled remote suppliers serving the project's channel: asked when no local number serves an order. */
  remotes: RemoteSupplierRow[];
}

/** The ISO 3166-1 alpha-2 code in upper case, or undefined when it names no country. */
export function normalizeCountry(code: string): string | undefined {
  const upper = code.trim().toUpperCase();
  return Object.hasOwn(COUNTRIES, upper) ? upper : undefined;
}

const validPrice = (price: number) => Number.isSafeInteger(price) && price >= 0 && price <= MAX_AMOUNT;
const PRICE_RULE = `A price is a whole number of cents from 0 to ${MAX_AMOUNT}`;

function projectName(raw: string): string {
  const enname = raw.trim();
  if (enname === '' || enname.length > 100) throw new DomainError('INVALID_INPUT', 'A project name is 1 to 100 characters');
  return enname;
}

/**
 * The service a project sells: the vocabulary's canonical id where it knows the name ("Telegram-C6",
 * "tg" -> telegram), so that SMS-Activate and 5SIM codes find the project; else the name as given.
 */
function serviceName(raw: string): string {
  const service = raw.trim();
  if (service === '' || service.length > 100) throw new DomainError('INVALID_INPUT', 'A service name is 1 to 100 characters');
  return resolveService(service)?.id ?? service;
}

/** The stored form of a pricing: the price shown where one is expected, and the country list. */
function priced(input: ProjectPricing): { sellingPrice: number; supportCountry: boolean; countries: [string, number][] } {
  if (input.countryPrices === undefined) {
    if (input.price === undefined || !validPrice(input.price)) throw new DomainError('INVALID_INPUT', PRICE_RULE);
    return { sellingPrice: input.price, supportCountry: false, countries: [] };
  }
  if (input.price !== undefined) throw new DomainError('INVALID_INPUT', 'Give one price or prices per country, not both');
  const countries = Object.entries(input.countryPrices).map(([country, price]): [string, number] => {
    const code = normalizeCountry(country);
    if (!code) throw new DomainError('INVALID_INPUT', `${country} is not an ISO 3166 country code`);
    if (!validPrice(price)) throw new DomainError('INVALID_INPUT', `${code}: ${PRICE_RULE}`);
    return [code, price];
  });
  if (countries.length === 0) throw new DomainError('INVALID_INPUT', 'Prices per country need at least one country');
  // A per-country project shows its cheapest country where a single price is expected.
  return { sellingPrice: Math.min(...countries.map(([, p]) => p)), supportCountry: true, countries };
}

/** What every order on a project needs, cached (see DomainConfig.cacheTtlMs). */
interface ProjectTerms {
  project: ProjectRow;
  /** The channel is enabled and some enabled supplier serves it. */
  open: boolean;
  prices: Map<string, number>;
  remotes: RemoteSupplierRow[];
}

/** The CacheSync name of the project terms caches. */
const PROJECT_TERMS = 'project-terms';

export class CatalogService {
  private readonly projectTerms: TtlCache<number, ProjectTerms>;
  /** Service id -> the projects that sell it (SMS-Activate and 5SIM buy by service). */
  private readonly projectsOfService: TtlCache<string, number[]>;
  /** "userId:myPid" -> the user's own price, if an admin set one. */
  private readonly userPrices: TtlCache<string, { price: number | undefined }>;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly config: DomainConfig,
    private readonly audit: AuditLog,
    private readonly caches: CacheSync,
  ) {
    this.projectTerms = new TtlCache(clock, config.cacheTtlMs);
    this.projectsOfService = new TtlCache(clock, config.cacheTtlMs);
    this.userPrices = new TtlCache(clock, config.cacheTtlMs);
    caches.register(PROJECT_TERMS, () => {
      this.projectTerms.clear();
      this.projectsOfService.clear();
    });
  }

  /** Channels are plain numbers; one is created the first time a project or supplier names it. */
  async ensureChannel(id: number, name = `Channel ${id}`): Promise<void> {
    if (!Number.isSafeInteger(id) || id < 0) throw new DomainError('INVALID_INPUT', 'A channel is a non-negative integer');
    if (await this.store.read.catalog.findChannel(id)) return;
    try {
      await this.store.read.catalog.insertChannel({ id, name, now: this.clock.now() });
    } catch (error) {
      if (!this.store.isUniqueViolation(error)) throw error; // created concurrently: fine
    }
  }

  async createProject(input: NewProject, by?: Actor): Promise<ProjectDetails> {
    const draft = this.draftProject(input);
    await this.ensureChannel(draft.project.channel_id);
    // An auto-assigned myPid is the next free one; two admins creating projects at once may pick
    // the same, so a conflict on an auto-assigned id tries the next one.
    for (let attempt = 1; ; attempt++) {
      try {
        const project = await this.audit.change<ProjectDetails>(by, { action: 'project.create', target: (p) => `project:${p.myPid}` }, {
          change: async (repos) => {
            const id = input.myPid ?? Math.max(1000, (await repos.catalog.maxProjectId()) + 1);
            await repos.catalog.insertProject({ ...draft.project, id });
            await repos.catalog.replaceCountryPrices(id, draft.countries);
            return details(repos, id);
          },
          after: (p) => p,
        });
        this.forgetTerms();
        return project;
      } catch (error) {
        if (!this.store.isUniqueViolation(error)) throw error;
        const retry = input.myPid === undefined && attempt < 5 && !(await this.store.read.catalog.findProjectByName(draft.project.enname));
        if (!retry) throw new DomainError('ALREADY_EXISTS', `A project named ${draft.project.enname} or with that myPid exists`);
      }
    }
  }

  private draftProject(input: NewProject): { project: Omit<ProjectRow, 'id'>; countries: [string, number][] } {
    const enname = projectName(input.enname);
    if (input.myPid !== undefined && (!Number.isSafeInteger(input.myPid) || input.myPid < 1)) {
      throw new DomainError('INVALID_INPUT', 'myPid is a positive integer');
    }
    const pricing = priced(input);
    const channel = input.channel ?? this.config.defaultChannel;
    const now = this.clock.now();
    return {
      countries: pricing.countries,
      project: {
        public_id: newObjectId(now),
        enname,
        channel_id: channel,
        service: serviceName(input.service ?? withoutChannel(enname)),
        selling_price: pricing.sellingPrice,
        support_country: pricing.supportCountry ? 1 : 0,
        enabled: 1,
        created_at: now,
        updated_at: now,
      },
    };
  }

  /** Renames, re-prices, moves to another channel or changes the expected service, in one transaction. */
  async updateProject(myPid: number, changes: ProjectChanges, by?: Actor): Promise<ProjectDetails> {
    const set: ProjectUpdate = { updated_at: this.clock.now() };
    if (changes.enname !== undefined) set.enname = projectName(changes.enname);
    if (changes.service !== undefined) set.service = serviceName(changes.service);
    if (changes.channel !== undefined) {
      await this.ensureChannel(changes.channel);
      set.channel_id = changes.channel;
    }
    const pricing = changes.price !== undefined || changes.countryPrices !== undefined ? priced(changes) : undefined;
    if (pricing) {
      set.selling_price = pricing.sellingPrice;
      set.support_country = pricing.supportCountry ? 1 : 0;
    }
    let project: ProjectDetails;
    try {
      project = await this.audit.change(by, { action: 'project.update', target: `project:${myPid}` }, {
        before: (repos) => details(repos, myPid),
        change: async (repos) => {
          if (!(await repos.catalog.updateProject(myPid, set))) throw new DomainError('PROJECT_NOT_FOUND', `No project with myPid ${myPid}`);
          if (pricing) await repos.catalog.replaceCountryPrices(myPid, pricing.countries);
          return details(repos, myPid);
        },
        after: (p) => p,
      });
    } catch (error) {
      if (this.store.isUniqueViolation(error)) throw new DomainError('ALREADY_EXISTS', `A project named ${set.enname} exists`);
      throw error;
    }
    this.forgetTerms();
    return project;
  }

  /** A disabled project takes no new orders (`Invalid Service ID`) and leaves the customers' lists. */
  async setProjectEnabled(myPid: number, enabled: boolean, by?: Actor): Promise<ProjectDetails> {
    const project = await this.audit.change(by, { action: enabled ? 'project.enable' : 'project.disable', target: `project:${myPid}` }, {
      before: async (repos) => ({ enabled: (await details(repos, myPid)).enabled }),
      change: async (repos) => {
        const updated = await repos.catalog.updateProject(myPid, { enabled: enabled ? 1 : 0, updated_at: this.clock.now() });
        if (!updated) throw new DomainError('PROJECT_NOT_FOUND', `No project with myPid ${myPid}`);
        return details(repos, myPid);
      },
      after: (p) => ({ enabled: p.enabled }),
    });
    this.forgetTerms();
    return project;
  }

  /** A project as an admin sees it. */
  view(myPid: number): Promise<ProjectDetails> {
    return details(this.store.read, myPid);
  }

  /** Every project, disabled ones too, for admins; `keyword` searches names. */
  async listAll(query: PageRequest & { keyword?: string | undefined; channel?: number | undefined }): Promise<{ count: number; projects: ProjectDetails[] }> {
    const read = this.store.read.catalog;
    const { count, rows } = await read.listProjects({ keyword: query.keyword, channelId: query.channel, onlyEnabled: false }, toOffset(query));
    const prices = await read.countryPrices(rows.filter((r) => r.support_country).map((r) => r.id));
    return { count, projects: rows.map((r) => toDetails(r, prices.get(r.id))) };
  }

  /** The user's own price for the project (null: back to the project's prices). */
  async setUserPrice(username: string, myPid: number, price: number | null, by?: Actor): Promise<void> {
    if (price !== null && !validPrice(price)) throw new DomainError('INVALID_INPUT', PRICE_RULE);
    // One query at a time: these run on the transaction's one connection.
    const ownPrice = async (repos: Repositories) => {
      const user = await userNamed(repos, username);
      await requireProject(repos, myPid);
      return { user, price: (await repos.catalog.userPrices(user.id, [myPid])).get(myPid) ?? null };
    };
    const user = await this.audit.change(by, { action: 'user.price', target: `user:${username}` }, {
      before: async (repos) => ({ myPid, price: (await ownPrice(repos)).price }),
      change: async (repos) => {
        const { user } = await ownPrice(repos);
        await repos.catalog.setUserPrice(user.id, myPid, price);
        return user;
      },
      after: () => ({ myPid, price }),
    });
    this.userPrices.delete(`${user.id}:${myPid}`);
  }

  async collect(userId: number, myPid: number): Promise<void> {
    await requireProject(this.store.read, myPid);
    await this.store.read.catalog.addCollect(userId, myPid, this.clock.now());
  }

  async uncollect(userId: number, myPid: number): Promise<void> {
    await requireProject(this.store.read, myPid);
    await this.store.read.catalog.removeCollect(userId, myPid);
  }

  /** `channel`: a channel id, 'all', or undefined for the default channel (DESIGN §3). */
  async listProjects(
    userId: number,
    query: PageRequest & { keyword?: string | undefined; channel?: number | 'all' | undefined },
  ): Promise<{ count: number; projects: ProjectView[] }> {
    const page = toOffset(query);
    let channelId: number | undefined;
    if (query.channel === undefined) channelId = this.config.defaultChannel;
    else if (query.channel !== 'all') {
      if (!(await this.store.read.catalog.findChannel(query.channel))) throw new DomainError('CHANNEL_NOT_FOUND', 'Invalid channel ID');
      channelId = query.channel;
    }
    return this.list(userId, { keyword: query.keyword, channelId }, page);
  }

  async listCollects(userId: number, query: PageRequest & { keyword?: string | undefined }): Promise<{ count: number; projects: ProjectView[] }> {
    return this.list(userId, { keyword: query.keyword, collectedBy: userId }, toOffset(query));
  }

  /**
   * Validates an order request and works out its price (DESIGN §3): the user's own price where
   * set, else the country's price, else the project's.
   */
  async orderTerms(userId: number, myPid: number, locale: string | undefined): Promise<OrderTerms> {
    const [terms, own] = await Promise.all([
      this.projectTerms.get(myPid, () => this.loadProjectTerms(myPid)),
      this.userPrices.get(`${userId}:${myPid}`, async () => ({ price: (await this.store.read.catalog.userPrices(userId, [myPid])).get(myPid) })),
    ]);
    if (!terms || !terms.project.enabled) throw new DomainError('PROJECT_NOT_FOUND', 'Invalid Service ID');
    if (!terms.open) throw new DomainError('CHANNEL_UNAVAILABLE', 'Not available for this channel.');
    const { project, prices, remotes } = terms;
    const userPrice = own?.price;

    let country: string | undefined;
    if (locale !== undefined) {
      country = normalizeCountry(locale);
      if (!country) throw new DomainError('COUNTRY_NOT_SUPPORTED', 'Invalid country ID');
    }
    if (!project.support_country) {
      const price = userPrice ?? project.selling_price;
      return { project, countries: country ? [country] : undefined, priceIn: () => price, remotes };
    }
    if (country && !prices.has(country)) throw new DomainError('COUNTRY_NOT_SUPPORTED', 'Invalid country ID');
    return {
      project,
      countries: country ? [country] : [...prices.keys()],
      priceIn: (c) => userPrice ?? prices.get(c) ?? project.selling_price,
      remotes,
    };
  }

  /** The customer's max prices per service (5SIM's max-prices), oldest first. Cents. */
  async maxPrices(userId: number): Promise<{ id: number; service: string; price: number; createdAt: number }[]> {
    const rows = await this.store.read.catalog.maxPrices(userId);
    return rows.map((r) => ({ id: r.id, service: r.service, price: r.price, createdAt: r.created_at }));
  }

  /** The most the customer pays for a service when a purchase names no maximum of its own; undefined: no limit. */
  async maxPriceOf(userId: number, service: string): Promise<number | undefined> {
    return this.store.read.catalog.maxPriceOf(userId, service);
  }

  /** Sets (or changes) the customer's max price for a service, in cents. */
  async setMaxPrice(userId: number, service: string, price: number): Promise<void> {
    if (!Number.isSafeInteger(price) || price < 0 || price > MAX_AMOUNT) throw new DomainError('INVALID_INPUT', `A max price is a whole number of cents from 0 to ${MAX_AMOUNT}`);
    await this.store.read.catalog.setMaxPrice({ user_id: userId, service, price, created_at: this.clock.now() });
  }

  /** Removes the customer's max price for a service; NOT_FOUND when it had none. */
  async removeMaxPrice(userId: number, service: string): Promise<void> {
    if (!(await this.store.read.catalog.removeMaxPrice(userId, service))) throw new DomainError('NOT_FOUND', `No max price for ${service}`);
  }

  /**
   * The customer's offers of a service (canonical id), cheapest first: every enabled project of that
   * service on an open channel that sells in `country` (any country when undefined), at the price
   * this customer pays (the country's cheapest when no country is named).
   */
  async offers(userId: number, service: string, country: string | undefined): Promise<{ terms: OrderTerms; price: number }[]> {
    const ids = (await this.projectsOfService.get(service, async () => this.store.read.catalog.projectIdsOfService(service))) ?? [];
    const offers: { terms: OrderTerms; price: number }[] = [];
    for (const id of ids) {
      let terms: OrderTerms;
      try {
        terms = await this.orderTerms(userId, id, country);
      } catch (error) {
        if (error instanceof DomainError && ['PROJECT_NOT_FOUND', 'CHANNEL_UNAVAILABLE', 'COUNTRY_NOT_SUPPORTED'].includes(error.code)) continue;
        throw error;
      }
      const prices = (terms.countries ?? [country ?? '']).map((c) => terms.priceIn(c));
      offers.push({ terms, price: Math.min(...prices) });
    }
    return offers.sort((a, b) => a.price - b.price || a.terms.project.id - b.terms.project.id);
  }

  /**
   * A project changed, or suppliers joined or left a channel: every process reads projects' terms,
   * "served" state and which projects sell a service again.
   */
  forgetTerms(): void {
    this.caches.stale(PROJECT_TERMS);
  }

  private async loadProjectTerms(myPid: number): Promise<ProjectTerms | undefined> {
    const read = this.store.read.catalog;
    const project = await read.findProject(myPid);
    if (!project) return undefined;
    const [channel, served, countryPrices, remotes] = await Promise.all([
      read.findChannel(project.channel_id),
      this.store.read.suppliers.channelHasSuppliers(project.channel_id),
      project.support_country ? read.countryPrices([myPid]) : undefined,
      this.store.read.remoteSupply.serving(project.channel_id),
    ]);
    return { project, open: Boolean(channel?.enabled) && served, prices: countryPrices?.get(myPid) ?? new Map(), remotes };
  }

  private async list(
    userId: number,
    filter: { keyword?: string | undefined; channelId?: number | undefined; collectedBy?: number | undefined },
    page: { offset: number; limit: number },
  ): Promise<{ count: number; projects: ProjectView[] }> {
    const read = this.store.read.catalog;
    const { count, rows } = await read.listProjects(filter, page);
    const ids = rows.map((r) => r.id);
    const [countryPrices, userPrices, collected] = await Promise.all([
      read.countryPrices(rows.filter((r) => r.support_country).map((r) => r.id)),
      read.userPrices(userId, ids),
      filter.collectedBy === undefined ? read.collectedSet(userId, ids) : new Set(ids),
    ]);
    return {
      count,
      projects: rows.map((r) => toView(r, countryPrices.get(r.id), collected.has(r.id), userPrices.get(r.id))),
    };
  }
}

async function requireProject(read: Repositories, myPid: number): Promise<ProjectRow> {
  const project = await read.catalog.findProject(myPid);
  if (!project) throw new DomainError('PROJECT_NOT_FOUND', 'Invalid Service ID');
  return project;
}

/** A project as an admin sees it, read through `read` (the store, or a transaction's repositories). */
async function details(read: Repositories, myPid: number): Promise<ProjectDetails> {
  const project = await read.catalog.findProject(myPid);
  if (!project) throw new DomainError('PROJECT_NOT_FOUND', `No project with myPid ${myPid}`);
  const prices = await read.catalog.countryPrices([myPid]);
  return toDetails(project, prices.get(myPid));
}

function toDetails(project: ProjectRow, prices: Map<string, number> | undefined): ProjectDetails {
  return {
    publicId: project.public_id,
    myPid: project.id,
    enname: project.enname,
    channel: project.channel_id,
    service: project.service,
    enabled: project.enabled === 1,
    supportCountry: project.support_country === 1,
    sellingPrice: project.selling_price,
    countryPrices: project.support_country ? Object.fromEntries(prices ?? []) : null,
    createdAt: project.created_at,
    updatedAt: project.updated_at,
  };
}

function toView(project: ProjectRow, prices: Map<string, number> | undefined, collect: boolean, myPrice: number | undefined): ProjectView {
  return {
    publicId: project.public_id,
    myPid: project.id,
    enname: project.enname,
    channel: project.channel_id,
    supportCountry: project.support_country === 1,
    sellingPrice: project.selling_price,
    countryPrices: project.support_country ? Object.fromEntries(prices ?? []) : null,
    collect,
    myPrice,
  };
}
