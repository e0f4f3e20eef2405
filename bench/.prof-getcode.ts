// scratch (not committed): seeds a getCode database and prints its URL, api key and order id
import { createDatabase } from './infra.js';
import { seedCodes } from './seed.js';
const dialect = process.argv[2] as 'sqlite' | 'postgres';
const url = await createDatabase(dialect, 'prof');
const seed = await seedCodes(url);
console.log(JSON.stringify({ url, ...seed }));
process.exit(0);
