package storage

import "time"

// Stored returns t as both engines keep it: in UTC, to the microsecond (PostgreSQL keeps no
// finer, and SQLite would keep the zone it was given). A write sets the times of the resource it
// stores with Stored, so that what the write returns, the events it publishes and a later read
// all agree, whichever engine is behind.
func Stored(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// NullIfEmpty stores "" as NULL. An optional value under a UNIQUE index, such as a request id,
// needs it: both engines let many rows hold NULL there, but only one hold "".
func NullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
