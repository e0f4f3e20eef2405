// The `fastpva` command.
import { isDomainError } from '../domain/errors.js';
import { ADMIN_COMMANDS } from './admin.js';
import { HelpRequested, UsageError } from './args.js';
import { backup, CommandFailed, restore } from './backup.js';
import { demo } from './demo.js';
import { extractCodes } from './extract-code.js';
import { migrate, serve } from './serve.js';

const USAGE = `Usage: fastpva <command> [options]

  serve [--port N] [--host H]          run the server (migrations are applied on start)
  migrate                              apply database migrations and exit
  demo [--port N]                      a seeded platform with a simulated SIM bank
  extract-code                         JSON lines {"text","project"?} on stdin -> {"code"} lines
  backup --to FILE                     a consistent copy of the SQLite database, taken while it serves
  restore --from FILE --db sqlite:PATH put a checked backup in place (servers on PATH stopped)

  admin user create --username U [--password P] [--balance CENTS] [--role user|admin] [--email E]
  admin user rotate-key --username U
  admin user adjust --username U --amount=CENTS [--note TEXT]      (negative: --amount=-50)
  admin user price --username U --project MYPID (--price CENTS | --clear)
  admin project create --name N (--price CENTS | --country CC=CENTS ...) [--channel C] [--my-pid N] [--service S]
  admin supplier create --name N [--share BASIS_POINTS] [--channel C ...]
  admin recharge list [--status unpaid|paid|all]
  admin recharge pay --id RECHARGE_ID [--paid CENTS]
  admin sms unmatched [--limit N]      SMS no live order took (late ones), never charged
  admin ledger audit

Every command takes --db URL (default: $DATABASE_URL, else sqlite:./data/fastpva.db)
and --json for machine-readable output.`;

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        await serve(rest);
        return;
      case 'migrate':
        return await migrate(rest);
      case 'demo':
        return await demo(rest);
      case 'extract-code':
        return await extractCodes(rest);
      case 'backup':
        return await backup(rest);
      case 'restore':
        return await restore(rest);
      case 'admin': {
        const [noun, verb, ...options] = rest;
        const run = ADMIN_COMMANDS[`${noun} ${verb}`];
        if (!run) throw new UsageError(`unknown admin command: ${[noun, verb].filter(Boolean).join(' ') || '(none)'}`);
        return await run(options);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return;
      default:
        throw new UsageError(`unknown command: ${command}`);
    }
  } catch (error) {
    if (error instanceof HelpRequested) {
      console.log(USAGE);
    } else if (error instanceof UsageError) {
      console.error(`fastpva: ${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (isDomainError(error) || error instanceof CommandFailed) {
      console.error(`fastpva: ${error.message}`);
      process.exitCode = 1;
    } else {
      throw error;
    }
  }
}
