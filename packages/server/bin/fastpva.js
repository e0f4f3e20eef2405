#!/usr/bin/env node
// The `fastpva` command: a committed shim, so the bin link exists before the TypeScript build.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
