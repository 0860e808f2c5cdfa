package sqlstore

import (
	"context"
	"database/sql"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/platform/storage"
)

// Create is the idempotent create the stores share. In one transaction it claims the request's
// idempotency key (in ctx) for name (idempotency.Claim). A replay reads, with replay, the
// resource the first call created (first is the name that call stored) and writes nothing; a
// first call runs insert, which writes created and returns its events. A unique violation is
// alreadyExists. Create returns the resource and whether this call created it.
func Create[T, E comparable](ctx context.Context, s Shell[E], name string, created T, alreadyExists error,
	replay func(tx *sql.Tx, first string) (T, error), insert func(tx *sql.Tx) ([]E, error)) (T, bool, error) {
	return CreateMapped(ctx, s, name, created, func(error) error { return alreadyExists }, replay, insert)
}

// CreateMapped is Create for a store whose unique keys tell different things: a unique violation
// is what onUnique returns for it (storage.UniqueKey.ViolatedBy says which key it names).
func CreateMapped[T, E comparable](ctx context.Context, s Shell[E], name string, created T, onUnique func(violation error) error,
	replay func(tx *sql.Tx, first string) (T, error), insert func(tx *sql.Tx) ([]E, error)) (T, bool, error) {
	var zero, existing T
	err := s.Write(ctx, func(tx *sql.Tx) ([]E, error) {
		first, err := idempotency.Claim(ctx, tx, name)
		if err != nil {
			return nil, err
		}
		if first != "" {
			existing, err = replay(tx, first)
			return nil, err
		}
		return insert(tx)
	})
	if storage.IsUniqueViolation(err) {
		return zero, false, onUnique(err)
	}
	if err != nil {
		return zero, false, err
	}
	if existing != zero {
		return existing, false, nil
	}
	return created, true, nil
}
