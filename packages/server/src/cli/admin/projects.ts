// `fastpva admin project ...`: the catalogue.
import type { ProjectDetails, ProjectPricing } from '../../domain/catalog.js';
import { channel, cents, countryPrice, myPid, option, PAGING, repeated, required, text, UsageError } from '../args.js';
import { adminCommand } from '../database.js';
import { fields, iso, paged, table } from '../output.js';

const PROJECT = required('MYPID', "the project's myPid", myPid);

const PRICING = {
  price: option('CENTS', 'one price for a number from any country', cents),
  country: repeated('CC=CENTS', 'a price in one country, e.g. --country GB=30 --country NL=12; numbers come only from these countries', countryPrice),
};

const PRICING_RULE = 'A project has one --price, or a --country price for each country it serves (not both).';

/** --price or --country list: at most one of them; undefined when neither was given. */
function pricing(o: { price: number | undefined; country: [string, number][] }): ProjectPricing | undefined {
  if (o.price !== undefined && o.country.length > 0) throw new UsageError('give --price or --country, not both');
  if (o.price !== undefined) return { price: o.price };
  if (o.country.length > 0) return { countryPrices: Object.fromEntries(o.country) };
  return undefined;
}

const prices = (p: ProjectDetails) =>
  p.countryPrices ? Object.entries(p.countryPrices).map(([cc, cost]) => `${cc}=${cost}`).join(' ') : String(p.sellingPrice);

function describe(p: ProjectDetails): string {
  return fields([
    ['project', `${p.enname} (myPid ${p.myPid}, ${p.publicId})`],
    ['status', p.enabled ? 'enabled' : 'DISABLED'],
    ['channel', p.channel],
    ['service', `${p.service} (what the code extractor expects)`],
    ['price', p.countryPrices ? `per country, in cents: ${prices(p)}` : `${p.sellingPrice} cents in any country`],
    ['created', iso(p.createdAt)],
    ['updated', iso(p.updatedAt)],
  ]);
}

/** The shape `project create --json` has always printed, with the admin's fields after it. */
const projectJson = (p: ProjectDetails) => ({
  myPid: p.myPid,
  _id: p.publicId,
  enname: p.enname,
  channel: p.channel,
  supportCountry: p.supportCountry,
  sellingPrice: p.sellingPrice,
  ...(p.countryPrices ? { countryPrices: p.countryPrices } : {}),
  service: p.service,
  enabled: p.enabled,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
});

const list = adminCommand({
  name: 'admin project list',
  summary: 'every project, disabled ones too, with prices in cents',
  flags: {
    search: option('TEXT', 'part of the name, any letter case', text),
    channel: option('C', 'only this channel', channel),
    ...PAGING,
  },
  async run(p, o) {
    const result = await p.catalog.listAll({ keyword: o.search, channel: o.channel, page: o.page, limit: o.limit });
    const rows = table(
      ['MYPID', 'NAME', 'CHANNEL', 'STATUS', 'PRICE'],
      result.projects.map((r) => [r.myPid, r.enname, r.channel, r.enabled ? 'enabled' : 'disabled', prices(r)]),
    );
    return { json: { count: result.count, projects: result.projects.map(projectJson) }, text: paged(rows, result.count, o, 'projects') };
  },
});

const show = adminCommand({
  name: 'admin project show',
  summary: "a project's channel, service, prices and status",
  flags: { project: PROJECT },
  async run(p, o) {
    const project = await p.catalog.view(o.project);
    return { json: projectJson(project), text: describe(project) };
  },
});

const create = adminCommand({
  name: 'admin project create',
  summary: 'add a project (a service on a channel) with its price or prices per country',
  details: `${PRICING_RULE}\nExample: fastpva admin project create --name Depop-C6 --country GB=30 --country NL=12`,
  flags: {
    name: required('N', 'the name customers see, e.g. Telegram or Gmail-4', text),
    ...PRICING,
    channel: option('C', 'the supply channel (default 6, the one /projects lists when asked for none)', channel),
    'my-pid': option('N', 'the myPid to give it (default: the next free one from 1000)', myPid),
    service: option('S', 'the brand in its SMS, for the code extractor (default: the name without its channel suffix)', text),
  },
  check(o) {
    if (!pricing(o)) throw new UsageError('give --price CENTS, or --country CC=CENTS for a project priced per country');
  },
  async run(p, o, by) {
    const project = await p.catalog.createProject({ enname: o.name, channel: o.channel, myPid: o['my-pid'], service: o.service, ...pricing(o) }, by);
    return { json: projectJson(project), text: `Created project ${project.enname}: myPid ${project.myPid}, channel ${project.channel}` };
  },
});

const update = adminCommand({
  name: 'admin project update',
  summary: 'rename, re-price, move to another channel, or change the expected service',
  details: `${PRICING_RULE}\nA new --price or --country list replaces the old pricing whole: --price turns a per-country project into a one-price one, --country the other way. Live orders keep their price.`,
  flags: {
    project: PROJECT,
    name: option('N', 'a new name', text),
    ...PRICING,
    channel: option('C', 'a new supply channel', channel),
    service: option('S', 'the brand the code extractor expects', text),
  },
  check(o) {
    if ([o.name, o.channel, o.service, pricing(o)].every((v) => v === undefined)) {
      throw new UsageError('nothing to change: give --name, --price, --country, --channel or --service');
    }
  },
  async run(p, o, by) {
    const project = await p.catalog.updateProject(o.project, { enname: o.name, channel: o.channel, service: o.service, ...pricing(o) }, by);
    return { json: projectJson(project), text: describe(project) };
  },
});

/** disable and enable: one switch, two commands. */
const setEnabled = (verb: 'disable' | 'enable') =>
  adminCommand({
    name: `admin project ${verb}`,
    summary: verb === 'disable' ? 'stop new orders on a project (`Invalid Service ID`); live orders run on' : 'take orders on a disabled project again',
    details: 'Running servers notice within CACHE_TTL_MS (2 seconds by default).',
    flags: { project: PROJECT },
    async run(p, o, by) {
      const project = await p.catalog.setProjectEnabled(o.project, verb === 'enable', by);
      return { json: projectJson(project), text: `${project.enname} (${project.myPid}) is ${project.enabled ? 'enabled' : 'disabled'}` };
    },
  });

export const PROJECT_COMMANDS = [list, show, create, update, setEnabled('disable'), setEnabled('enable')];
