package store

import (
	"context"
	"time"

	"github.com/vif71/vif/platform/storage"
)

// Seeded implements domain.Repository.
func (s *Store) Seeded(ctx context.Context, name string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM seeds WHERE name = $1`, name).Scan(&n)
	return n > 0, err
}

// MarkSeeded implements domain.Repository; marking a name twice keeps the first time.
func (s *Store) MarkSeeded(ctx context.Context, name string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO seeds (name, applied_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, storage.Stored(at))
	return err
}
