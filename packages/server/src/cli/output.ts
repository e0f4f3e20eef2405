/** Prints a command's result: JSON on one line with --json, else a human-readable text. */
export function report(json: boolean, data: unknown, human: string): void {
  process.stdout.write(json ? `${JSON.stringify(data)}\n` : `${human}\n`);
}
