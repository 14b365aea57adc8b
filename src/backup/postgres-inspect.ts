import type { Client } from 'pg';
import type { ProgressListener } from './backup-error.js';
import type { DatabaseContents } from './manifest.js';

/*
 * Contents are read the same way from the source (inside the backup's
 * snapshot) and from the scratch restore, so the two compare line for line.
 * `search_path` is emptied first so every name and default expression is
 * printed schema-qualified, whatever the session's path was.
 */

/** Schemas that belong to PostgreSQL, and objects that belong to extensions: pg_dump skips both. */
const USER_OBJECT = `n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`;
const NOT_EXTENSION = (oid: string): string => `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = ${oid} AND e.deptype = 'e')`;

const TABLES_SQL = `
SELECT n.nspname AS schema, c.relname AS name
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND ${USER_OBJECT} AND ${NOT_EXTENSION('c.oid')}
ORDER BY 1, 2`;

const SCHEMA_SQL = `
SELECT line FROM (
  SELECT format('column %I.%I.%I %s%s%s%s', n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
         CASE WHEN a.attnotnull THEN ' not null' ELSE '' END,
         CASE a.attidentity WHEN 'a' THEN ' identity always' WHEN 'd' THEN ' identity by default' ELSE '' END,
         coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')) AS line
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${USER_OBJECT} AND ${NOT_EXTENSION('c.oid')}
  UNION ALL
  SELECT format('constraint %I.%I %I %s', n.nspname, c.relname, con.conname, pg_get_constraintdef(con.oid))
  FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE ${USER_OBJECT} AND ${NOT_EXTENSION('c.oid')}
  UNION ALL
  SELECT 'index ' || pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE ${USER_OBJECT} AND ${NOT_EXTENSION('c.oid')}
  UNION ALL
  SELECT format('view %I.%I %s', n.nspname, c.relname, md5(pg_get_viewdef(c.oid)))
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('v', 'm') AND ${USER_OBJECT} AND ${NOT_EXTENSION('c.oid')}
  UNION ALL
  SELECT format('sequence %I.%I', n.nspname, c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'S' AND ${USER_OBJECT} AND ${NOT_EXTENSION('c.oid')}
  UNION ALL
  SELECT 'trigger ' || pg_get_triggerdef(t.oid)
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE NOT t.tgisinternal AND ${USER_OBJECT} AND ${NOT_EXTENSION('c.oid')}
  UNION ALL
  SELECT format('function %I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE ${USER_OBJECT} AND ${NOT_EXTENSION('p.oid')}
) objects ORDER BY line COLLATE "C"`;

/**
 * Row counts and schema lines. Call inside a transaction: `SET LOCAL` keeps
 * the emptied search_path from outliving it.
 */
export async function inspect(client: Client, onProgress?: ProgressListener): Promise<DatabaseContents> {
  await client.query("SET LOCAL search_path = ''");
  const { rows: tables } = await client.query<{ schema: string; name: string }>(TABLES_SQL);
  const counts: Record<string, number> = {};
  let done = 0;
  for (const table of tables) {
    const qualified = `${table.schema}.${table.name}`;
    onProgress?.({ phase: 'count', done, total: tables.length, unit: 'tables', detail: qualified });
    const { rows } = await client.query<{ count: string }>(`SELECT count(*) AS count FROM ${client.escapeIdentifier(table.schema)}.${client.escapeIdentifier(table.name)}`);
    counts[qualified] = Number(rows[0]?.count);
    done++;
  }
  onProgress?.({ phase: 'count', done, total: tables.length, unit: 'tables' });
  const { rows: schema } = await client.query<{ line: string }>(SCHEMA_SQL);
  return { tables: counts, schema: schema.map((row) => row.line) };
}
