package resource

import "time"

// Meta is what every stored resource carries besides its own fields: the revision its etag
// derives from (AIP-154), bumped by every change, and its create and update times as stored (UTC,
// to the microsecond: see Clock). A domain's entity embeds it, so that v.Revision, v.CreateTime
// and v.UpdateTime read as its own fields.
type Meta struct {
	Revision   int64
	CreateTime time.Time
	UpdateTime time.Time
}

// Etag is the etag of the revision of the resource named name (Etag).
func (m Meta) Etag(name string) string { return Etag(name, m.Revision) }
