// `fastpva admin service ...` and `fastpva admin country ...`: how SMS-Activate and 5SIM name the
// services and countries this platform sells (seeded from the vocabulary, editable here).
import { z } from 'zod';
import { wholeNumber } from '../../config.js';
import { country, option, required, text, toggle, UsageError } from '../args.js';
import { adminCommand } from '../database.js';
import { table } from '../output.js';

const lowerName = z.string().trim().toLowerCase().min(1, 'cannot be empty');

const serviceList = adminCommand({
  name: 'admin service list',
  summary: "the services projects sell, with each protocol's name for them",
  flags: {},
  async run(p) {
    const services = await p.names.services();
    return { json: services, text: table(['id', 'name', 'sms-activate', '5sim'], services.map((s) => [s.id, s.name, s.smsActivate ?? '-', s.fivesim])) };
  },
});

const serviceSet = adminCommand({
  name: 'admin service set',
  summary: "add a service, or change its name or a protocol's code for it",
  details: 'A project sells the service its --service names (admin project create/update). SMS-Activate clients ask for the --sms-activate code (two letters where possible), 5SIM clients for the --fivesim product.',
  flags: {
    service: required('ID', 'the service id, lower case, as projects name it (telegram)', lowerName),
    name: option('NAME', 'the display name', text),
    'sms-activate': option('CODE', "SMS-Activate's code for it, e.g. tg", lowerName),
    'no-sms-activate': toggle('offer it to no SMS-Activate client'),
    fivesim: option('PRODUCT', "5SIM's product name, e.g. telegram", lowerName),
  },
  check(o) {
    if (o['sms-activate'] !== undefined && o['no-sms-activate']) throw new UsageError('give --sms-activate or --no-sms-activate, not both');
  },
  async run(p, o, by) {
    const service = await p.names.setService(o.service, {
      name: o.name,
      smsActivate: o['no-sms-activate'] ? null : o['sms-activate'],
      fivesim: o.fivesim,
    }, by);
    return { json: service, text: `${service.id} (${service.name}): SMS-Activate ${service.smsActivate ?? '-'}, 5SIM ${service.fivesim}` };
  },
});

const countryList = adminCommand({
  name: 'admin country list',
  summary: "ISO countries with SMS-Activate's id and 5SIM's name for each",
  flags: {},
  async run(p) {
    const countries = await p.names.countries();
    return {
      json: countries,
      text: table(['iso', 'name', 'sms-activate', '5sim'], countries.map((c) => [c.iso, c.name, c.smsActivate ?? '-', c.fivesim ?? '-'])),
    };
  },
});

const countrySet = adminCommand({
  name: 'admin country set',
  summary: "change SMS-Activate's id or 5SIM's name for a country",
  flags: {
    country: required('CC', 'the ISO 3166 country code', country),
    'sms-activate': option('ID', "SMS-Activate's country id, e.g. 16", wholeNumber(0, 99_999)),
    'no-sms-activate': toggle('offer it to no SMS-Activate client'),
    fivesim: option('NAME', "5SIM's country name, e.g. england", lowerName),
    'no-fivesim': toggle('offer it to no 5SIM client'),
  },
  check(o) {
    if (o['sms-activate'] !== undefined && o['no-sms-activate']) throw new UsageError('give --sms-activate or --no-sms-activate, not both');
    if (o.fivesim !== undefined && o['no-fivesim']) throw new UsageError('give --fivesim or --no-fivesim, not both');
  },
  async run(p, o, by) {
    const c = await p.names.setCountry(o.country, {
      smsActivate: o['no-sms-activate'] ? null : o['sms-activate'],
      fivesim: o['no-fivesim'] ? null : o.fivesim,
    }, by);
    return { json: c, text: `${c.iso} (${c.name}): SMS-Activate ${c.smsActivate ?? '-'}, 5SIM ${c.fivesim ?? '-'}` };
  },
});

export const NAME_COMMANDS = [serviceList, serviceSet, countryList, countrySet];
