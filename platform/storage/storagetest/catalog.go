package storagetest

import (
	"context"
	"database/sql"
	"strings"
)

// sqliteSchema reads SQLite's catalog: sqlite_schema and the table_info, index_list and
// index_xinfo pragmas. A primary key column is NOT NULL whatever it declares (PostgreSQL makes it
// so; SQLite only refuses NULL in an INTEGER PRIMARY KEY, and the stores never write one).
func sqliteSchema(ctx context.Context, db *sql.DB) ([]string, error) {
	tables, err := queryStrings(ctx, db, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT LIKE 'goose\_%' ESCAPE '\'`)
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, table := range tables {
		lines = append(lines, "table "+table)
		cols, err := sqliteColumns(ctx, db, table)
		if err != nil {
			return nil, err
		}
		lines = append(lines, cols...)
		idx, err := sqliteIndexes(ctx, db, table)
		if err != nil {
			return nil, err
		}
		lines = append(lines, idx...)
	}
	return lines, nil
}

func sqliteColumns(ctx context.Context, db *sql.DB, table string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var lines []string
	pk := map[int]string{}
	for rows.Next() {
		var name, typ string
		var notNull bool
		var pkPos int
		if err := rows.Scan(&name, &typ, &notNull, &pkPos); err != nil {
			return nil, err
		}
		if pkPos > 0 {
			pk[pkPos], notNull = name, true
		}
		lines = append(lines, columnLine(table, name, typ, notNull))
	}
	if len(pk) > 0 {
		cols := make([]string, len(pk))
		for pos, name := range pk {
			cols[pos-1] = name
		}
		lines = append(lines, indexLine(table, "", cols, true, false, true, true))
	}
	return lines, rows.Err()
}

func sqliteIndexes(ctx context.Context, db *sql.DB, table string) ([]string, error) {
	type index struct {
		name, origin    string
		unique, partial bool
	}
	rows, err := db.QueryContext(ctx, `SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, table)
	if err != nil {
		return nil, err
	}
	var list []index
	for rows.Next() {
		var i index
		if err := rows.Scan(&i.name, &i.unique, &i.origin, &i.partial); err != nil {
			rows.Close()
			return nil, err
		}
		list = append(list, i)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var lines []string
	for _, i := range list {
		if i.origin == "pk" { // the primary key, read from table_info
			continue
		}
		cols, err := queryStrings(ctx, db, `SELECT COALESCE(name, '(expression)') FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno`, i.name)
		if err != nil {
			return nil, err
		}
		lines = append(lines, indexLine(table, i.name, cols, i.unique, i.partial, i.origin == "u", false))
	}
	return lines, nil
}

// postgresSchema reads PostgreSQL's catalog (information_schema.columns, pg_index) in the
// current schema. An index that backs a constraint (pg_constraint.conindid) is the constraint's.
func postgresSchema(ctx context.Context, db *sql.DB) ([]string, error) {
	tables, err := queryStrings(ctx, db, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'goose\_%'`)
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, table := range tables {
		lines = append(lines, "table "+table)
	}
	rows, err := db.QueryContext(ctx, `SELECT table_name, column_name, data_type, is_nullable = 'NO' FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name NOT LIKE 'goose\_%'`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var table, column, typ string
		var notNull bool
		if err := rows.Scan(&table, &column, &typ, &notNull); err != nil {
			rows.Close()
			return nil, err
		}
		lines = append(lines, columnLine(table, column, typ, notNull))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	idx, err := postgresIndexes(ctx, db)
	if err != nil {
		return nil, err
	}
	return append(lines, idx...), nil
}

func postgresIndexes(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `
		SELECT t.relname, i.relname, x.indisunique, x.indisprimary, x.indpred IS NOT NULL,
		       EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid),
		       (SELECT string_agg(COALESCE(a.attname, '(expression)'), ',' ORDER BY k.ord)
		          FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
		          LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
		         WHERE k.ord <= x.indnkeyatts)
		  FROM pg_index x
		  JOIN pg_class t ON t.oid = x.indrelid
		  JOIN pg_class i ON i.oid = x.indexrelid
		  JOIN pg_namespace n ON n.oid = t.relnamespace
		 WHERE n.nspname = current_schema() AND t.relname NOT LIKE 'goose\_%'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var table, name, cols string
		var unique, primary, partial, constraint bool
		if err := rows.Scan(&table, &name, &unique, &primary, &partial, &constraint, &cols); err != nil {
			return nil, err
		}
		lines = append(lines, indexLine(table, name, strings.Split(cols, ","), unique, partial, constraint, primary))
	}
	return lines, rows.Err()
}
