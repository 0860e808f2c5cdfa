package domain

import "time"

// EventType names a change the directory publishes.
type EventType string

// The directory's events. The NATS subject is "vif.directory.v1." + the type.
const (
	OrganisationCreated EventType = "organisation.created"
	OrganisationUpdated EventType = "organisation.updated"
	OrganisationDeleted EventType = "organisation.deleted"
	// OrganisationUndeleted: a soft-deleted organisation was restored.
	OrganisationUndeleted EventType = "organisation.undeleted"
	MemberCreated         EventType = "member.created"
	MemberUpdated         EventType = "member.updated"
	MemberDeleted         EventType = "member.deleted"
)

// Event is one change, recorded by the repository in the same transaction as the change itself.
type Event struct {
	ID           string
	Type         EventType
	Time         time.Time
	Organisation *Organisation // for organisation events (as deleted, for organisation.deleted)
	Member       *Member       // for member events (nil once deleted)
	Name         string        // the resource name, for every event
	UpdateMask   []string      // for updates
}
