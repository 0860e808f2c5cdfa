// Package dedup lets a subscriber handle each vif event once, although the bus may deliver it
// more than once: keyed on the event id (ce-id), a Ledger remembers what was handled, and Seen
// tells a copy from a new event.
//
// Why a subscriber needs it (docs/events.md, Delivery): the stream drops a copy of an event only
// within its de-duplication window (two minutes); a relay that crashed between a publish and its
// bookkeeping and comes back later publishes the event again, and the stream keeps both copies,
// with the same ce-id and different stream sequences. JetStream also redelivers a message whose
// ack was lost. Both look the same to a subscriber: an event id it has seen.
//
// The pattern, for each delivered message: Seen(id) true: acknowledge and skip; otherwise do the
// work, Record(id), then acknowledge. A crash after the work and before Record lets the work run
// once more on redelivery, so work that can be repeated safely (or a Ledger written in the same
// transaction as the work) closes that last gap.
//
// It depends on nothing but the standard library, so a subscriber can take it alone.
package dedup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// HeaderID is the header carrying the event id, the CloudEvents ce-id; JetStream's Nats-Msg-Id
// holds the same value.
const HeaderID = "ce-id"

// Ledger remembers which events were handled.
type Ledger interface {
	// Seen reports whether id was recorded.
	Seen(ctx context.Context, id string) (bool, error)
	// Record records id as handled. Recording an id again is not an error.
	Record(ctx context.Context, id string) error
}

// ErrBadID is returned for an id that is not an event id of the suite; such a message did not
// come from a vif relay.
var ErrBadID = errors.New("dedup: not an event id")

// eventID is what a vif event id looks like: a ULID, in lower or upper case.
var eventID = regexp.MustCompile(`^[0-9A-Za-z]{26}$`)

// CheckID returns ErrBadID unless id has the form of a vif event id.
func CheckID(id string) error {
	if !eventID.MatchString(id) {
		return fmt.Errorf("%w: %q", ErrBadID, id)
	}
	return nil
}

// DirLedger is a Ledger kept in a directory, one empty file per event id, written durably: a
// recorded id survives a crash and a restart. It suits a subscriber whose events are counted in
// thousands, like a notice writer; a subscriber with a database records the id in the
// transaction that does its work instead.
type DirLedger struct{ dir string }

// NewDirLedger returns a ledger in dir. The directory is created by the first Record, so that a
// directory that cannot be made yet (a disk not mounted) fails Record, which the caller retries,
// rather than the start.
func NewDirLedger(dir string) (*DirLedger, error) {
	if dir == "" {
		return nil, errors.New("dedup: ledger needs a directory")
	}
	return &DirLedger{dir: dir}, nil
}

// Seen reports whether id was recorded.
func (l *DirLedger) Seen(_ context.Context, id string) (bool, error) {
	if err := CheckID(id); err != nil {
		return false, err
	}
	_, err := os.Stat(l.path(id))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	default:
		return false, fmt.Errorf("dedup: ledger: %w", err)
	}
}

// Record records id, and syncs the directory so that the record outlives a crash.
func (l *DirLedger) Record(_ context.Context, id string) error {
	if err := CheckID(id); err != nil {
		return err
	}
	if err := os.MkdirAll(l.dir, 0o755); err != nil {
		return fmt.Errorf("dedup: ledger: %w", err)
	}
	f, err := os.OpenFile(l.path(id), os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("dedup: ledger: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("dedup: ledger: %w", err)
	}
	d, err := os.Open(l.dir)
	if err != nil {
		return fmt.Errorf("dedup: ledger: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("dedup: ledger: %w", err)
	}
	return nil
}

// Event ids are case-insensitive ULIDs; one file name per id whatever its case.
func (l *DirLedger) path(id string) string {
	return filepath.Join(l.dir, strings.ToLower(id))
}
