// Package resource holds what the services' domains share about their resources (AIP-122,
// 134, 154, 158): the rule for a resource id, the opaque etag of a revision and its check, the
// sentinel errors every domain returns (each domain re-exports them under its own names, so that
// its ports read as before), and a page of a list.
package resource

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strconv"
	"time"

	"github.com/vif71/vif/platform/fault"
	"github.com/vif71/vif/platform/validation"
)

// The errors every domain shares, each with its kind and reason (platform/fault), which the gRPC
// edge turns into a code and an ErrorInfo; callers wrap them with the resource name so the
// message says which.
var (
	ErrNotFound         = fault.NotFound("NOT_FOUND", "not found")
	ErrAlreadyExists    = fault.AlreadyExists("ALREADY_EXISTS", "already exists")
	ErrEtagMismatch     = fault.Precondition("ETAG_MISMATCH", "etag does not match the current state: read the resource again and retry")
	ErrPermissionDenied = fault.PermissionDenied("OUTSIDE_SCOPE", "permission denied")
	ErrWrongState       = fault.Precondition("WRONG_STATE", "not allowed in the current state")
	// ErrDirectoryUnavailable is what a service that asks the directory returns when it cannot
	// reach it: nothing was written on a guess.
	ErrDirectoryUnavailable = fault.Unavailable("DIRECTORY_UNAVAILABLE", "the directory service is unavailable; nothing was changed, retry later")
	// ErrOrganisationDeleted is what a service that refers to the directory's organisations
	// returns when the directory holds the organisation but it is soft-deleted: records that
	// already name it stay, no new one may.
	ErrOrganisationDeleted = fault.Precondition("ORGANISATION_DELETED", "the organisation is deleted in the directory: nothing new may refer to it (an admin may undelete it)")
)

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// ValidID reports whether id may be the last segment of a resource name: lowercase letters,
// digits and hyphens, starting with a letter or digit, at most 63 characters.
func ValidID(id string) bool { return idPattern.MatchString(id) }

// NewID gives *id a new id, prefix followed by what ids makes, when the caller chose none
// (AIP-133), and refuses one that may not be the last segment of a resource name with a
// violation of field.
func NewID(id *string, prefix string, ids func() string, field string) error {
	if *id == "" {
		*id = prefix + ids()
		return nil
	}
	if !ValidID(*id) {
		return validation.Field(field, "must be lowercase letters, digits and hyphens, at most 63")
	}
	return nil
}

// Etag derives an opaque etag from a resource's name and revision: stable while the resource is
// unchanged, different after any change, and meaningless to a client that would try to forge
// the next one.
func Etag(name string, revision int64) string {
	sum := sha256.Sum256([]byte(name + "\x00" + strconv.FormatInt(revision, 10)))
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}

// CheckEtag returns ErrEtagMismatch when given is set and differs from current.
func CheckEtag(given, current string) error {
	if given != "" && given != current {
		return ErrEtagMismatch
	}
	return nil
}

// Clock reads now in UTC to the microsecond, the precision both SQLite and PostgreSQL store, so
// that the times a write returns equal those a later read returns. A service's use cases take
// their time from it.
func Clock(now func() time.Time) func() time.Time {
	return func() time.Time { return now().UTC().Truncate(time.Microsecond) }
}

// Page is one page of a list: its items, how many match in all, and the key to resume after
// (empty on the last page).
type Page[T any] struct {
	Items     []T
	Total     int
	NextAfter string
}

// ReadPage reads one page of at most limit items (at least 1): list is asked for one item more,
// to learn whether a next page exists, and key gives the key to resume after an item.
func ReadPage[T any](limit int, list func(limit int) ([]T, int, error), key func(T) string) (Page[T], error) {
	limit = max(limit, 1)
	items, total, err := list(limit + 1)
	if err != nil {
		return Page[T]{}, err
	}
	p := Page[T]{Items: items, Total: total}
	if len(items) > limit {
		p.Items = items[:limit]
		p.NextAfter = key(items[limit-1])
	}
	return p, nil
}
