import { sql, type RawBuilder } from 'kysely';

/**
 * `column` contains `text`, ignoring letter case, in both dialects. `%`, `_` and `\` in the text
 * are literal characters, not patterns.
 */
export function contains(column: string, text: string): RawBuilder<boolean> {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape ${sql.lit('\\')}`;
}
