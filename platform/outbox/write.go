package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/vif71/vif/platform/storage"
)

// ErrMissingEvent is wrapped by the error returned for a change that comes without its event
// (RequireEvents), or with a nil one (WriteTx): writing the change alone would break the
// outbox's promise, so nothing is written.
var ErrMissingEvent = errors.New("outbox: a change without its event")

// WriteTx runs fn in a transaction on db and adds the events fn returns to the outbox in that
// same transaction, in order, each turned into its record by encode: the change fn makes and its
// events commit together or not at all. Once a transaction that added events has committed,
// WriteTx calls committed (when not nil), which wakes the relay (Relay.Notify) instead of
// leaving the events to its next poll.
//
// fn returns no events when it writes nothing, as an idempotent replay does (a request id seen
// before): then nothing is added and committed is not called. Any error aborts the transaction:
// fn's, encode's, Add's (an event it refuses), and a nil event among those fn returns, which
// wraps ErrMissingEvent. E is the service's domain event, normally a pointer; its zero value is
// the nil event refused, which is why E must be comparable.
func WriteTx[E comparable](ctx context.Context, db *storage.DB, encode func(E) (Event, error), committed func(),
	fn func(tx *sql.Tx) ([]E, error)) error {
	var nilEvent E
	wrote := false
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		events, err := fn(tx)
		if err != nil {
			return err
		}
		for i, ev := range events {
			if ev == nilEvent {
				return fmt.Errorf("%w: event %d of %d is nil", ErrMissingEvent, i+1, len(events))
			}
			rec, err := encode(ev)
			if err != nil {
				return fmt.Errorf("outbox: encode event %d of %d: %w", i+1, len(events), err)
			}
			exec := func(ctx context.Context, query string, args ...any) (sql.Result, error) {
				return db.ExecTx(ctx, tx, query, args...)
			}
			if err := add(ctx, exec, rec); err != nil {
				return err
			}
			wrote = true
		}
		return nil
	})
	if err == nil && wrote && committed != nil {
		committed()
	}
	return err
}

// RequireEvents checks the events a caller gives with a change before the change is written: at
// least one, and none nil, or an error wrapping ErrMissingEvent. WriteTx alone cannot tell a
// change without its events from a replay that writes nothing, so a store that takes a change's
// events from its caller checks them with RequireEvents on the path that writes the change.
func RequireEvents[E comparable](events []E) error {
	if len(events) == 0 {
		return fmt.Errorf("%w: no events", ErrMissingEvent)
	}
	var nilEvent E
	for i, ev := range events {
		if ev == nilEvent {
			return fmt.Errorf("%w: event %d of %d is nil", ErrMissingEvent, i+1, len(events))
		}
	}
	return nil
}
