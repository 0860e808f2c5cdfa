package storage

// Lock returns clause (" FOR UPDATE", " FOR NO KEY UPDATE", " FOR SHARE", " FOR KEY SHARE") on
// PostgreSQL, to append to the SELECT of a read-modify-write, and "" on SQLite, whose
// transactions take the write lock when they begin (_txlock=immediate), so writers run one at a
// time.
func (db *DB) Lock(clause string) string {
	if db.Dialect == Postgres {
		return clause
	}
	return ""
}
