// The blacklist: numbers out of a project for everyone, because SHIELD_QUORUM users shielded them
// or an admin said so. One user's shield only keeps a number away from that user (orders.ts).
import type { BlacklistReason } from '../store/schema.js';
import type { Store } from '../store/store.js';
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
  async add(input: { number: string; myPid: number; note?: string | undefined }): Promise<boolean> {
    const entry = await this.entry(input.number, input.myPid);
    return this.store.read.numbers.blacklist({ ...entry, reason: 'admin', note: input.note ?? '', now: this.clock.now() });
  }

  /**
   * Gives the number back to the project. Users who shielded it still never get it; the quorum is
   * counted again only when someone else shields it.
   */
  async remove(input: { number: string; myPid: number }): Promise<void> {
    if (!(await this.store.read.numbers.unblacklist(await this.entry(input.number, input.myPid)))) {
      throw new DomainError('NOT_FOUND', `${input.number} is not blacklisted for project ${input.myPid}`);
    }
  }

  private number(raw: string): string {
    const number = normalizeNumber(raw);
    if (!number) throw new DomainError('INVALID_INPUT', `${raw} is not an international phone number`);
    return number;
  }

  private async entry(raw: string, myPid: number): Promise<{ numberId: number; projectId: number }> {
    const number = this.number(raw);
    const [row, project] = await Promise.all([this.store.read.numbers.findByNumber(number), this.store.read.catalog.findProject(myPid)]);
    if (!row) throw new DomainError('NOT_FOUND', `No number ${number} in the pool`);
    if (!project) throw new DomainError('PROJECT_NOT_FOUND', `No project with myPid ${myPid}`);
    return { numberId: row.id, projectId: project.id };
  }
}
