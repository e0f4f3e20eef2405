// The blacklist: numbers out of a project for everyone, because SHIELD_QUORUM users shielded them
// or an admin said so. One user's shield only keeps a number away from that user (orders.ts).
import type { BlacklistReason } from '../store/schema.js';
import type { Repositories, Store } from '../store/store.js';
import type { Actor, AuditLog } from './audit.js';
import type { Clock } from './clock.js';
import { DomainError } from './errors.js';
import { toOffset, type PageRequest } from './paging.js';
import { normalizeNumber } from './suppliers.js';

export interface BlacklistEntry {
  number: string;
  myPid: number;
  enname: string;
  reason: BlacklistReason;
  note: string;
  /** Users who shielded the number for this project. */
  shields: number;
  createdAt: number;
}

export class BlacklistService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  async list(query: PageRequest & { myPid?: number | undefined; number?: string | undefined }): Promise<{ count: number; entries: BlacklistEntry[] }> {
    const number = query.number === undefined ? undefined : this.number(query.number);
    const { count, rows } = await this.store.read.numbers.listBlacklist({ projectId: query.myPid, number }, toOffset(query));
    return {
      count,
      entries: rows.map((r) => ({
        number: r.number,
        myPid: r.project_id,
        enname: r.enname,
        reason: r.reason,
        note: r.note,
        shields: r.shields,
        createdAt: r.created_at,
      })),
    };
  }

  /** Takes the number out of the project for everyone. Returns false when it already was. */
  async add(input: { number: string; myPid: number; note?: string | undefined }, by?: Actor): Promise<boolean> {
    const number = this.number(input.number);
    const note = input.note ?? '';
    return this.audit.change(by, { action: 'blacklist.add', target: `blacklist:${input.myPid}:${number}` }, {
      before: (repos) => listed(repos, number, input.myPid),
      change: async (repos) => repos.numbers.blacklist({ ...(await this.entry(repos, number, input.myPid)), reason: 'admin', note, now: this.clock.now() }),
    });
  }

  /**
   * Gives the number back to the project. Users who shielded it still never get it; the quorum is
   * counted again only when someone else shields it.
   */
  async remove(input: { number: string; myPid: number }, by?: Actor): Promise<void> {
    const number = this.number(input.number);
    await this.audit.change(by, { action: 'blacklist.remove', target: `blacklist:${input.myPid}:${number}` }, {
      before: (repos) => listed(repos, number, input.myPid),
      change: async (repos) => {
        if (!(await repos.numbers.unblacklist(await this.entry(repos, number, input.myPid)))) {
          throw new DomainError('NOT_FOUND', `${input.number} is not blacklisted for project ${input.myPid}`);
        }
      },
    });
  }

  private number(raw: string): string {
    const number = normalizeNumber(raw);
    if (!number) throw new DomainError('INVALID_INPUT', `${raw} is not an international phone number`);
    return number;
  }

  private async entry(read: Repositories, number: string, myPid: number): Promise<{ numberId: number; projectId: number }> {
    // One query at a time: `read` is a transaction's, on one connection.
    const row = await read.numbers.findByNumber(number);
    const project = await read.catalog.findProject(myPid);
    if (!row) throw new DomainError('NOT_FOUND', `No number ${number} in the pool`);
    if (!project) throw new DomainError('PROJECT_NOT_FOUND', `No project with myPid ${myPid}`);
    return { numberId: row.id, projectId: project.id };
  }
}

/** The number's blacklist entry for the project as admins see it, or null: the audit log's before and after. */
async function listed(read: Repositories, number: string, myPid: number): Promise<{ number: string; myPid: number; reason: BlacklistReason; note: string } | null> {
  const row = await read.numbers.findByNumber(number);
  const entry = row && (await read.numbers.findBlacklisted({ numberId: row.id, projectId: myPid }));
  return entry ? { number, myPid, ...entry } : null;
}
