using System.Globalization;
using System.Text;
using IceFire.Gateway.Sql.Protocol;

namespace IceFire.Gateway.Sql.Dialect;

/// <summary>
/// pg_class, pg_attribute, pg_index, pg_constraint and their neighbours as views over SQLite's schema, for psql's
/// \d: each table and view by its row in sqlite_schema, each index under the name PostgreSQL would give it.
/// </summary>
internal static partial class PgCatalog
{
    /// <summary>
    /// A rowid table's INTEGER PRIMARY KEY has no index of its own in SQLite (the key is the rowid), nor has a
    /// WITHOUT ROWID table's key (the table is that index); PostgreSQL shows one, named table_pkey, which gets its
    /// table's OID plus this.
    /// </summary>
    private const long RowidKeyOidOffset = 1L << 30;

    private const string UserTables = "t.type = 'table' AND t.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND t.name NOT LIKE '\\_icefire\\_%' ESCAPE '\\'";

    /// <summary>
    /// <paramref name="expression"/> as a column whose declared type is BOOLEAN, so that the gateway sends it as
    /// bool ('t'/'f'): psql tests flags such as attnotnull and indisprimary against "t". SQLite gives a result
    /// column a declared type only when it reads a table column, here pg_bool's, also through a scalar subquery.
    /// </summary>
    private static string Bool(string expression) => $"(SELECT b FROM temp.pg_bool WHERE b = ({expression}))";

    private static void AppendRelations(StringBuilder sql)
    {
        sql.Append("CREATE TEMP TABLE pg_bool(b BOOLEAN PRIMARY KEY) WITHOUT ROWID;INSERT INTO temp.pg_bool VALUES (0),(1);");
        // Every index of every table: SQLite's own (the automatic ones renamed as PostgreSQL names a primary key or
        // unique constraint's index) and a synthetic one for a key without a schema row. sqlitename is null for that one.
        sql.Append(CultureInfo.InvariantCulture, $"""
            CREATE TEMP VIEW pg_sqlite_index AS
            SELECT CAST({FirstTableOid} + x.rowid AS INTEGER) AS oid,
              CASE l.origin WHEN 'pk' THEN t.name || '_pkey'
                WHEN 'u' THEN t.name || '_' || (SELECT group_concat(k.name, '_' ORDER BY k.seqno) FROM pragma_index_info(l.name, 'main') k) || '_key'
                ELSE l.name END AS relname,
              CAST({FirstTableOid} + t.rowid AS INTEGER) AS indrelid, t.name AS tablename, l.name AS sqlitename, l.origin AS origin,
              l."unique" AS isunique, l.origin = 'pk' AS isprimary, x.sql AS sql,
              CASE WHEN l.partial THEN trim(substr(x.sql, instr(upper(x.sql), ' WHERE ') + 7)) END AS predicate
            FROM main.sqlite_schema t JOIN pragma_index_list(t.name, 'main') l JOIN main.sqlite_schema x ON x.type = 'index' AND x.name = l.name
            WHERE {UserTables}
            UNION ALL
            SELECT CAST({FirstTableOid + RowidKeyOidOffset} + t.rowid AS INTEGER), t.name || '_pkey', CAST({FirstTableOid} + t.rowid AS INTEGER), t.name,
              NULL, 'pk', 1, 1, NULL, NULL
            FROM main.sqlite_schema t
            WHERE {UserTables} AND EXISTS(SELECT 1 FROM pragma_table_info(t.name, 'main') c WHERE c.pk > 0)
              AND NOT EXISTS(SELECT 1 FROM pragma_index_list(t.name, 'main') l JOIN main.sqlite_schema x ON x.type = 'index' AND x.name = l.name WHERE l.origin = 'pk');
            CREATE TEMP VIEW pg_sqlite_index_column AS
            SELECT i.oid AS indexrelid, k.seqno + 1 AS attnum, k.name AS attname, max(k.cid + 1, 0) AS tableattnum
            FROM pg_sqlite_index i JOIN pragma_index_info(i.sqlitename, 'main') k WHERE i.sqlitename IS NOT NULL
            UNION ALL
            SELECT i.oid, c.pk, c.name, c.cid + 1
            FROM pg_sqlite_index i JOIN pragma_table_info(i.tablename, 'main') c ON c.pk > 0 WHERE i.sqlitename IS NULL;
            """);
        // pg_get_indexdef(oid, column, pretty): column 0 is the whole CREATE INDEX, as PostgreSQL prints it; an
        // index on expressions keeps SQLite's own text of its key.
        sql.Append("""
            CREATE TEMP VIEW pg_sqlite_indexdef AS
            SELECT i.oid AS defoid, 0 AS defcolno,
              'CREATE ' || CASE WHEN i.isunique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' || i.relname || ' ON public.' || i.tablename || ' USING btree ' ||
              CASE WHEN EXISTS(SELECT 1 FROM pg_sqlite_index_column c WHERE c.indexrelid = i.oid AND c.attname IS NULL)
                THEN substr(i.sql, instr(i.sql, '('))
                ELSE '(' || (SELECT group_concat(c.attname, ', ' ORDER BY c.attnum) FROM pg_sqlite_index_column c WHERE c.indexrelid = i.oid) || ')' ||
                  coalesce(' WHERE ' || i.predicate, '')
              END AS def
            FROM pg_sqlite_index i
            UNION ALL
            SELECT indexrelid, attnum, attname FROM pg_sqlite_index_column;
            """);
        AppendConstraints(sql);
        sql.Append(CultureInfo.InvariantCulture, $"""
            CREATE TEMP VIEW pg_class AS
            SELECT CAST({FirstTableOid} + t.rowid AS INTEGER) AS oid, t.name AS relname, {PublicNamespace} AS relnamespace,
              CASE t.type WHEN 'view' THEN 'v' ELSE 'r' END AS relkind,
              10 AS relowner, CASE t.type WHEN 'table' THEN 2 ELSE 0 END AS relam, 0 AS reltype, 0 AS reloftype, 0 AS reltablespace, 0 AS relchecks,
              {Bool($"EXISTS(SELECT 1 FROM pg_sqlite_index i WHERE i.indrelid = {FirstTableOid} + t.rowid)")} AS relhasindex, {Bool("0")} AS relhasrules,
              {Bool($"EXISTS(SELECT 1 FROM main.sqlite_schema g WHERE g.type = 'trigger' AND g.tbl_name = t.name) OR EXISTS(SELECT 1 FROM pg_sqlite_foreign_key f WHERE f.conrelid = {FirstTableOid} + t.rowid OR f.confrelid = {FirstTableOid} + t.rowid)")} AS relhastriggers,
              {Bool("0")} AS relrowsecurity, {Bool("0")} AS relforcerowsecurity, {Bool("0")} AS relispartition, 'p' AS relpersistence, 'd' AS relreplident,
              0 AS reltoastrelid, NULL AS reloptions, 0 AS relhasoids, -1 AS reltuples, 0 AS relpages, NULL AS relacl, NULL AS relpartbound,
              (SELECT count(*) FROM pragma_table_info(t.name, 'main')) AS relnatts
            FROM main.sqlite_schema t WHERE t.type IN ('table', 'view') AND t.name NOT LIKE 'sqlite\_%' ESCAPE '\' AND t.name NOT LIKE '\_icefire\_%' ESCAPE '\'
            UNION ALL
            SELECT i.oid, i.relname, {PublicNamespace}, 'i', 10, 403, 0, 0, 0, 0, {Bool("0")}, {Bool("0")}, {Bool("0")}, {Bool("0")}, {Bool("0")}, {Bool("0")},
              'p', 'n', 0, NULL, 0, -1, 0, NULL, NULL, (SELECT count(*) FROM pg_sqlite_index_column c WHERE c.indexrelid = i.oid)
            FROM pg_sqlite_index i;
            CREATE TEMP VIEW pg_sqlite_regclass AS SELECT oid AS regoid, relname AS regname FROM temp.pg_class;
            CREATE TEMP VIEW pg_index AS
            SELECT i.oid AS indexrelid, i.indrelid AS indrelid,
              (SELECT count(*) FROM pg_sqlite_index_column c WHERE c.indexrelid = i.oid) AS indnatts,
              (SELECT count(*) FROM pg_sqlite_index_column c WHERE c.indexrelid = i.oid) AS indnkeyatts,
              {Bool("i.isunique")} AS indisunique, {Bool("i.isprimary")} AS indisprimary, {Bool("0")} AS indisexclusion, {Bool("1")} AS indimmediate,
              {Bool("0")} AS indisclustered, {Bool("1")} AS indisvalid, {Bool("0")} AS indcheckxmin, {Bool("1")} AS indisready, {Bool("1")} AS indislive,
              {Bool("0")} AS indisreplident, {Bool("0")} AS indnullsnotdistinct,
              (SELECT group_concat(c.tableattnum, ' ' ORDER BY c.attnum) FROM pg_sqlite_index_column c WHERE c.indexrelid = i.oid) AS indkey,
              '' AS indcollation, '' AS indclass, '' AS indoption, NULL AS indexprs, i.predicate AS indpred
            FROM pg_sqlite_index i;
            """);
        // Table columns, then index columns (psql's \d INDEX lists those). A key without its own index (a rowid
        // alias, or a WITHOUT ROWID table's key) can hold no null.
        sql.Append(CultureInfo.InvariantCulture, $"""
            CREATE TEMP VIEW pg_attribute AS
            SELECT CAST({FirstTableOid} + t.rowid AS INTEGER) AS attrelid, p.name AS attname, p.cid + 1 AS attnum,
              pg_type_oid(p.type) AS atttypid, -1 AS atttypmod,
              {Bool("p.\"notnull\" OR (p.pk > 0 AND EXISTS(SELECT 1 FROM pg_sqlite_index i WHERE i.indrelid = " + FirstTableOid + " + t.rowid AND i.sqlitename IS NULL))")} AS attnotnull,
              {Bool("0")} AS attisdropped, '' AS attidentity, '' AS attgenerated, {Bool("p.dflt_value IS NOT NULL")} AS atthasdef,
              0 AS attcollation, -1 AS attlen, -1 AS attstattarget, p.dflt_value AS attdefault,
              CASE WHEN pg_type_oid(p.type) IN ({PgType.Text.Oid}, {PgType.Varchar.Oid}, {PgType.Bytea.Oid}, {PgType.Numeric.Oid}) THEN 'x' ELSE 'p' END AS attstorage,
              '' AS attcompression
            FROM main.sqlite_schema t JOIN pragma_table_info(t.name, 'main') p WHERE t.type IN ('table', 'view') AND t.name NOT LIKE 'sqlite\_%' ESCAPE '\' AND t.name NOT LIKE '\_icefire\_%' ESCAPE '\'
            UNION ALL
            SELECT c.indexrelid, coalesce(c.attname, 'expr'), c.attnum, coalesce(a.atttypid, {PgType.Text.Oid}), -1, {Bool("0")}, {Bool("0")}, '', '', {Bool("0")},
              0, -1, -1, NULL, 'p', ''
            FROM pg_sqlite_index i JOIN pg_sqlite_index_column c ON c.indexrelid = i.oid
              LEFT JOIN (SELECT CAST({FirstTableOid} + t.rowid AS INTEGER) AS attrelid, p.cid + 1 AS attnum, pg_type_oid(p.type) AS atttypid
                FROM main.sqlite_schema t JOIN pragma_table_info(t.name, 'main') p WHERE {UserTables}) a ON a.attrelid = i.indrelid AND a.attnum = c.tableattnum;
            CREATE TEMP VIEW pg_attrdef AS SELECT attrelid * 65536 + attnum AS oid, attrelid AS adrelid, attnum AS adnum, attdefault AS adbin
            FROM temp.pg_attribute WHERE attdefault IS NOT NULL;
            """);
        // Catalogs of what SQLite does not have (policies, publications, statistics objects, inheritance,
        // rules): empty, so that psql's footers about them find nothing.
        sql.Append("CREATE TEMP TABLE pg_inherits(inhrelid INTEGER, inhparent INTEGER, inhseqno INTEGER, inhdetachpending BOOLEAN);");
        sql.Append("CREATE TEMP TABLE pg_policy(oid INTEGER PRIMARY KEY, polname TEXT, polrelid INTEGER, polcmd TEXT, polpermissive BOOLEAN, polroles TEXT, polqual TEXT, polwithcheck TEXT);");
        sql.Append("CREATE TEMP TABLE pg_statistic_ext(oid INTEGER PRIMARY KEY, stxrelid INTEGER, stxname TEXT, stxnamespace INTEGER, stxowner INTEGER, stxstattarget INTEGER, stxkeys TEXT, stxkind TEXT, stxexprs TEXT);");
        sql.Append("CREATE TEMP TABLE pg_publication(oid INTEGER PRIMARY KEY, pubname TEXT, pubowner INTEGER, puballtables BOOLEAN, pubinsert BOOLEAN, pubupdate BOOLEAN, pubdelete BOOLEAN, pubtruncate BOOLEAN, pubviaroot BOOLEAN);");
        sql.Append("CREATE TEMP TABLE pg_publication_rel(oid INTEGER PRIMARY KEY, prpubid INTEGER, prrelid INTEGER, prqual TEXT, prattrs TEXT);");
        sql.Append("CREATE TEMP TABLE pg_publication_namespace(oid INTEGER PRIMARY KEY, pnpubid INTEGER, pnnspid INTEGER);");
        sql.Append("CREATE TEMP TABLE pg_rewrite(oid INTEGER PRIMARY KEY, rulename TEXT, ev_class INTEGER, ev_type TEXT, ev_enabled TEXT, is_instead BOOLEAN, ev_qual TEXT, ev_action TEXT);");
        sql.Append("CREATE TEMP TABLE pg_depend(classid INTEGER, objid INTEGER, objsubid INTEGER, refclassid INTEGER, refobjid INTEGER, refobjsubid INTEGER, deptype TEXT);");
        sql.Append("CREATE TEMP TABLE pg_tablespace(oid INTEGER PRIMARY KEY, spcname TEXT, spcowner INTEGER);");
        sql.Append("CREATE TEMP TABLE pg_collation(oid INTEGER PRIMARY KEY, collname TEXT, collnamespace INTEGER, collprovider TEXT, collencoding INTEGER);");
        sql.Append(CultureInfo.InvariantCulture, $"INSERT INTO temp.pg_collation VALUES (100,'default',{CatalogNamespace},'d',-1),(950,'C',{CatalogNamespace},'c',-1),(951,'POSIX',{CatalogNamespace},'c',-1);");
        sql.Append("CREATE TEMP TABLE pg_roles(oid INTEGER PRIMARY KEY, rolname TEXT, rolsuper BOOLEAN, rolinherit BOOLEAN, rolcanlogin BOOLEAN);");
        // SQLite's triggers; pg_get_triggerdef gives their CREATE TRIGGER text.
        sql.Append(CultureInfo.InvariantCulture, $"""
            CREATE TEMP VIEW pg_trigger AS
            SELECT CAST({FirstTableOid} + g.rowid AS INTEGER) AS oid, g.name AS tgname,
              (SELECT CAST({FirstTableOid} + t.rowid AS INTEGER) FROM main.sqlite_schema t WHERE t.type IN ('table', 'view') AND t.name = g.tbl_name) AS tgrelid,
              0 AS tgparentid, 'O' AS tgenabled, {Bool("0")} AS tgisinternal, 0 AS tgconstraint, g.sql AS tgdef
            FROM main.sqlite_schema g WHERE g.type = 'trigger';
            CREATE TEMP VIEW pg_sqlite_triggerdef AS SELECT oid AS defoid, tgdef AS def FROM temp.pg_trigger;
            CREATE TEMP VIEW pg_sqlite_viewdef AS
            SELECT CAST({FirstTableOid} + v.rowid AS INTEGER) AS defoid, ' ' || trim(substr(v.sql, instr(upper(v.sql), ' AS ') + 4)) || ';' AS def
            FROM main.sqlite_schema v WHERE v.type = 'view';
            """);
    }

    /// <summary>
    /// pg_constraint: the primary keys and UNIQUE constraints (by their index's OID) and the foreign keys, with the
    /// text pg_get_constraintdef gives. SQLite keeps no CHECK constraints apart from the table's text.
    /// </summary>
    private static void AppendConstraints(StringBuilder sql)
    {
        // A foreign key's OID: its table's OID shifted left 16 bits plus SQLite's id of the key within the table.
        sql.Append(CultureInfo.InvariantCulture, $"""
            CREATE TEMP VIEW pg_sqlite_foreign_key AS
            SELECT CAST((({FirstTableOid} + t.rowid) << 16) + f.id AS INTEGER) AS oid,
              t.name || '_' || group_concat(f."from", '_' ORDER BY f.seq) || '_fkey' AS conname,
              CAST({FirstTableOid} + t.rowid AS INTEGER) AS conrelid,
              (SELECT CAST({FirstTableOid} + r.rowid AS INTEGER) FROM main.sqlite_schema r WHERE r.type = 'table' AND r.name = f."table" COLLATE NOCASE) AS confrelid,
              'FOREIGN KEY (' || group_concat(f."from", ', ' ORDER BY f.seq) || ') REFERENCES ' || f."table" || '(' ||
                group_concat(coalesce(f."to", (SELECT p.name FROM pragma_table_info(f."table", 'main') p WHERE p.pk = f.seq + 1)), ', ' ORDER BY f.seq) || ')' ||
                CASE WHEN f.on_update <> 'NO ACTION' THEN ' ON UPDATE ' || f.on_update ELSE '' END ||
                CASE WHEN f.on_delete <> 'NO ACTION' THEN ' ON DELETE ' || f.on_delete ELSE '' END AS def
            FROM main.sqlite_schema t JOIN pragma_foreign_key_list(t.name, 'main') f WHERE {UserTables}
            GROUP BY t.rowid, f.id;
            CREATE TEMP VIEW pg_constraint AS
            SELECT i.oid AS oid, i.relname AS conname, {PublicNamespace} AS connamespace, CASE WHEN i.isprimary THEN 'p' ELSE 'u' END AS contype,
              {Bool("0")} AS condeferrable, {Bool("0")} AS condeferred, {Bool("1")} AS convalidated, i.indrelid AS conrelid, 0 AS contypid,
              i.oid AS conindid, 0 AS conparentid, 0 AS confrelid, ' ' AS confupdtype, ' ' AS confdeltype, ' ' AS confmatchtype,
              {Bool("1")} AS conislocal, 0 AS coninhcount, {Bool("0")} AS connoinherit, NULL AS conkey, NULL AS confkey, NULL AS conbin,
              CASE WHEN i.isprimary THEN 'PRIMARY KEY (' ELSE 'UNIQUE (' END ||
                (SELECT group_concat(c.attname, ', ' ORDER BY c.attnum) FROM pg_sqlite_index_column c WHERE c.indexrelid = i.oid) || ')' AS condef
            FROM pg_sqlite_index i WHERE i.origin IN ('pk', 'u')
            UNION ALL
            SELECT f.oid, f.conname, {PublicNamespace}, 'f', {Bool("0")}, {Bool("0")}, {Bool("1")}, f.conrelid, 0, 0, 0, f.confrelid, 'a', 'a', 's',
              {Bool("1")}, 0, {Bool("0")}, NULL, NULL, NULL, f.def
            FROM pg_sqlite_foreign_key f;
            CREATE TEMP VIEW pg_sqlite_constraintdef AS SELECT oid AS defoid, condef AS def FROM temp.pg_constraint;
            """);
    }
}
