package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

var _ domain.ReleaseLog = (*Store)(nil)

type figureJSON struct {
	Derived bool            `json:"derived"`
	Counts  json.RawMessage `json:"counts"`
}

func encodeFigures(figs map[string]domain.Figures) (string, error) {
	out := map[string]map[string]figureJSON{}
	for id, f := range figs {
		m := map[string]figureJSON{}
		for p, fig := range f {
			c, err := encodeCounts(fig.Counts)
			if err != nil {
				return "", fmt.Errorf("%s %s: %w", id, p, err)
			}
			m[p.String()] = figureJSON{Derived: fig.Derived, Counts: json.RawMessage(c)}
		}
		out[id] = m
	}
	b, err := json.Marshal(out) // map keys sorted: the same state is the same text
	return string(b), err
}

func decodeFigures(s string) (map[string]domain.Figures, error) {
	var in map[string]map[string]figureJSON
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, fmt.Errorf("store: releases.figures: %w", err)
	}
	out := map[string]domain.Figures{}
	for id, m := range in {
		f := domain.Figures{}
		for ps, fig := range m {
			p, err := domain.ParsePeriod(ps)
			if err != nil {
				return nil, fmt.Errorf("store: releases.figures: %w", err)
			}
			c, err := decodeCounts(string(fig.Counts))
			if err != nil {
				return nil, fmt.Errorf("store: releases.figures: %w", err)
			}
			f[p] = domain.Figure{Counts: c, Derived: fig.Derived}
		}
		out[id] = f
	}
	return out, nil
}

// LatestRelease implements domain.ReleaseLog: one row, by primary key.
func (s *Store) LatestRelease(ctx context.Context, year int) (int, [sha256.Size]byte, error) {
	var number int
	var digest string
	err := s.DB.QueryRowContext(ctx, `SELECT number, digest FROM releases WHERE year = $1 ORDER BY number DESC LIMIT 1`,
		year).Scan(&number, &digest)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, [sha256.Size]byte{}, nil
	}
	if err != nil {
		return 0, [sha256.Size]byte{}, err
	}
	d, err := decodeDigest(digest)
	return number, d, err
}

// Releases implements domain.ReleaseLog.
func (s *Store) Releases(ctx context.Context, year int) ([]domain.Release, error) {
	return s.releases(ctx, year)
}

// AddRelease implements domain.ReleaseLog. Two readers adding a year's next release at once
// both try its number: the primary key admits one, the other gets ErrReleaseTaken. A number
// that does not follow the latest is refused too (the insert selects nothing).
func (s *Store) AddRelease(ctx context.Context, r domain.Release) error {
	text, err := encodeFigures(r.Figures)
	if err != nil {
		return err
	}
	var hidden sql.NullString
	if r.Hidden != nil {
		b, err := json.Marshal(r.Hidden)
		if err != nil {
			return err
		}
		hidden = sql.NullString{String: string(b), Valid: true}
	}
	res, err := s.DB.ExecContext(ctx, `INSERT INTO releases (year, number, digest, figures, hidden)
		SELECT $1, $2, $3, $4, $5 WHERE (SELECT COALESCE(MAX(number), 0) FROM releases WHERE year = $1) = $2 - 1`,
		r.Year, r.Number, hex.EncodeToString(r.Digest[:]), text, hidden)
	if storage.IsUniqueViolation(err) {
		return fmt.Errorf("release %d of %d: %w", r.Number, r.Year, domain.ErrReleaseTaken)
	}
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("release %d of %d: %w", r.Number, r.Year, domain.ErrReleaseTaken)
	}
	return nil
}

func decodeDigest(s string) ([sha256.Size]byte, error) {
	var out [sha256.Size]byte
	d, err := hex.DecodeString(s)
	if err != nil || len(d) != sha256.Size {
		return out, errors.New("store: releases.digest is not a SHA-256 in hex")
	}
	copy(out[:], d)
	return out, nil
}

// releases reads a year's releases, oldest first.
func (s *Store) releases(ctx context.Context, year int) ([]domain.Release, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT number, digest, figures, hidden FROM releases WHERE year = $1 ORDER BY number`, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Release
	for rows.Next() {
		var r domain.Release
		var digest, figures string
		var hidden sql.NullString
		if err := rows.Scan(&r.Number, &digest, &figures, &hidden); err != nil {
			return nil, err
		}
		if hidden.Valid {
			r.Hidden = []string{}
			if err := json.Unmarshal([]byte(hidden.String), &r.Hidden); err != nil {
				return nil, fmt.Errorf("store: releases.hidden: %w", err)
			}
		}
		if r.Digest, err = decodeDigest(digest); err != nil {
			return nil, err
		}
		r.Year = year
		if r.Figures, err = decodeFigures(figures); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
