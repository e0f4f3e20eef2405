// How each customer protocol names a service and a country. FASTPVA sells projects (myPid) and ISO
// countries; SMS-Activate names a service by a short code (tg) and a country by a number (16);
// 5SIM by lower-case names (telegram, england). The tables are seeded from domain/vocabulary and
// admins may edit them; every surface translates through here and nowhere else.
import type { CountryRow, ServiceRow } from '../store/schema.js';
import type { Repositories, Store } from '../store/store.js';
import type { Actor, AuditLog } from './audit.js';
import { TtlCache } from './cache.js';
import { normalizeCountry } from './catalog.js';
import type { Clock } from './clock.js';
import { DomainError } from './errors.js';

export interface ServiceName {
  /** Canonical id, as projects.service holds it. */
  id: string;
  name: string;
  smsActivate: string | null;
  fivesim: string;
}

export interface CountryName {
  iso: string;
  name: string;
  smsActivate: number | null;
  fivesim: string | null;
}

interface Tables {
  services: ServiceName[];
  countries: CountryName[];
  serviceBySmsActivate: Map<string, ServiceName>;
  serviceByFivesim: Map<string, ServiceName>;
  serviceById: Map<string, ServiceName>;
  countryBySmsActivate: Map<number, CountryName>;
  countryByFivesim: Map<string, CountryName>;
  countryByIso: Map<string, CountryName>;
}

const toService = (r: ServiceRow): ServiceName => ({ id: r.id, name: r.name, smsActivate: r.sms_activate, fivesim: r.fivesim });
const toCountry = (r: CountryRow): CountryName => ({ iso: r.iso, name: r.name, smsActivate: r.sms_activate, fivesim: r.fivesim });

const SERVICE_ID = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const SMS_ACTIVATE_SERVICE = /^[a-z0-9_]{1,16}$/;
const FIVESIM_NAME = /^[a-z0-9_.-]{1,64}$/;

export class ProtocolNames {
  /** Both tables, read whole: a few hundred rows each, asked for on every protocol request. */
  private readonly tables: TtlCache<'all', Tables>;

  constructor(
    private readonly store: Store,
    clock: Clock,
    cacheTtlMs: number,
    private readonly audit: AuditLog,
  ) {
    this.tables = new TtlCache(clock, Math.max(cacheTtlMs, 1));
  }

  async services(): Promise<ServiceName[]> {
    return (await this.load()).services;
  }

  async countries(): Promise<CountryName[]> {
    return (await this.load()).countries;
  }

  async serviceBySmsActivate(code: string): Promise<ServiceName | undefined> {
    return (await this.load()).serviceBySmsActivate.get(code.toLowerCase());
  }

  async serviceByFivesim(product: string): Promise<ServiceName | undefined> {
    return (await this.load()).serviceByFivesim.get(product.toLowerCase());
  }

  async serviceById(id: string): Promise<ServiceName | undefined> {
    return (await this.load()).serviceById.get(id);
  }

  async countryBySmsActivate(id: number): Promise<CountryName | undefined> {
    return (await this.load()).countryBySmsActivate.get(id);
  }

  async countryByFivesim(slug: string): Promise<CountryName | undefined> {
    return (await this.load()).countryByFivesim.get(slug.toLowerCase());
  }

  async countryByIso(iso: string): Promise<CountryName | undefined> {
    return (await this.load()).countryByIso.get(iso.toUpperCase());
  }

  /** Adds a service, or changes how the protocols name one (a field left undefined stays as it is). */
  async setService(id: string, change: { name?: string | undefined; smsActivate?: string | null | undefined; fivesim?: string | undefined }, by?: Actor): Promise<ServiceName> {
    if (!SERVICE_ID.test(id)) throw new DomainError('INVALID_INPUT', 'A service id is lower-case letters, digits, _ . - (as projects name it, e.g. telegram)');
    if (change.smsActivate != null && !SMS_ACTIVATE_SERVICE.test(change.smsActivate)) {
      throw new DomainError('INVALID_INPUT', 'An SMS-Activate service code is 1 to 16 lower-case letters or digits (two letters where possible: tg)');
    }
    if (change.fivesim !== undefined && !FIVESIM_NAME.test(change.fivesim)) throw new DomainError('INVALID_INPUT', 'A 5SIM product name is lower-case letters, digits, _ . -');
    const name = change.name?.trim();
    if (name !== undefined && (name === '' || name.length > 100)) throw new DomainError('INVALID_INPUT', 'A service name is 1 to 100 characters');
    const set = {
      ...(name !== undefined ? { name } : {}),
      ...(change.smsActivate !== undefined ? { sms_activate: change.smsActivate } : {}),
      ...(change.fivesim !== undefined ? { fivesim: change.fivesim } : {}),
    };
    const state = async (repos: Repositories) => {
      const row = (await repos.names.services()).find((s) => s.id === id);
      return row ? toService(row) : null;
    };
    try {
      await this.audit.change(by, { action: 'service.set', target: `service:${id}` }, {
        before: state,
        change: async (repos) => {
          const exists = Object.keys(set).length > 0 ? await repos.names.updateService(id, set) : (await state(repos)) !== null;
          if (!exists) await repos.names.insertService({ id, name: name ?? id, sms_activate: change.smsActivate ?? null, fivesim: change.fivesim ?? id });
        },
      });
    } catch (error) {
      if (this.store.isUniqueViolation(error)) throw new DomainError('ALREADY_EXISTS', 'Another service already has that SMS-Activate code or 5SIM name');
      throw error;
    }
    this.tables.clear();
    return (await this.serviceById(id))!;
  }

  /** Changes how the protocols name a country (null: the protocol does not offer it). */
  async setCountry(iso: string, change: { smsActivate?: number | null | undefined; fivesim?: string | null | undefined }, by?: Actor): Promise<CountryName> {
    const code = normalizeCountry(iso);
    if (!code) throw new DomainError('INVALID_INPUT', `${iso} is not an ISO 3166 country code`);
    if (change.smsActivate != null && (!Number.isSafeInteger(change.smsActivate) || change.smsActivate < 0 || change.smsActivate > 99_999)) {
      throw new DomainError('INVALID_INPUT', 'An SMS-Activate country id is a whole number from 0 to 99999');
    }
    if (change.fivesim != null && !FIVESIM_NAME.test(change.fivesim)) throw new DomainError('INVALID_INPUT', 'A 5SIM country name is lower-case letters and digits, e.g. england');
    const set = {
      ...(change.smsActivate !== undefined ? { sms_activate: change.smsActivate } : {}),
      ...(change.fivesim !== undefined ? { fivesim: change.fivesim } : {}),
    };
    const state = async (repos: Repositories) => {
      const row = (await repos.names.countries()).find((c) => c.iso === code);
      return row ? toCountry(row) : null;
    };
    try {
      if (Object.keys(set).length > 0) {
        await this.audit.change(by, { action: 'country.set', target: `country:${code}` }, {
          before: state,
          change: async (repos) => {
            if (!(await repos.names.updateCountry(code, set))) throw new DomainError('NOT_FOUND', `No country ${code}`);
          },
        });
      }
    } catch (error) {
      if (this.store.isUniqueViolation(error)) throw new DomainError('ALREADY_EXISTS', 'Another country already has that SMS-Activate id or 5SIM name');
      throw error;
    }
    this.tables.clear();
    return (await this.countryByIso(code))!;
  }

  private async load(): Promise<Tables> {
    return (await this.tables.get('all', async () => {
      const [serviceRows, countryRows] = await Promise.all([this.store.read.names.services(), this.store.read.names.countries()]);
      const services = serviceRows.map(toService);
      const countries = countryRows.map(toCountry);
      return {
        services,
        countries,
        serviceBySmsActivate: new Map(services.filter((s) => s.smsActivate !== null).map((s) => [s.smsActivate!, s])),
        serviceByFivesim: new Map(services.map((s) => [s.fivesim, s])),
        serviceById: new Map(services.map((s) => [s.id, s])),
        countryBySmsActivate: new Map(countries.filter((c) => c.smsActivate !== null).map((c) => [c.smsActivate!, c])),
        countryByFivesim: new Map(countries.filter((c) => c.fivesim !== null).map((c) => [c.fivesim!, c])),
        countryByIso: new Map(countries.map((c) => [c.iso, c])),
      };
    }))!;
  }
}
