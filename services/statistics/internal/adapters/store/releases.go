package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/platform/outbox"
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

// ReleasedYears implements domain.ReleaseLog.
func (s *Store) ReleasedYears(ctx context.Context, from, to int) ([]int, error) {
	return storage.Collect(ctx, s.DB, `SELECT DISTINCT year FROM releases WHERE year BETWEEN $1 AND $2 ORDER BY year`,
		[]any{from, to}, func(row storage.Scanner) (int, error) {
			var year int
			err := row.Scan(&year)
			return year, err
		})
}

// Releases implements domain.ReleaseLog.
func (s *Store) Releases(ctx context.Context, year int) ([]domain.Release, error) {
	return s.releases(ctx, year)
}

// AddRelease implements domain.ReleaseLog. Two publications adding a year's next release at
// once both try its number: the primary key admits one, the other gets ErrReleaseTaken. A number
// that does not follow the latest is refused too (the insert selects nothing).
func (s *Store) AddRelease(ctx context.Context, r domain.Release) error {
	return s.DB.InTx(ctx, func(tx *sql.Tx) error { return insertRelease(ctx, tx, r) })
}

func insertRelease(ctx context.Context, tx *sql.Tx, r domain.Release) error {
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
	published := sql.NullTime{Time: storage.Stored(r.PublishTime), Valid: !r.PublishTime.IsZero()}
	res, err := tx.ExecContext(ctx, `INSERT INTO releases (year, number, digest, figures, hidden, publish_time)
		SELECT $1, $2, $3, $4, $5, $6 WHERE (SELECT COALESCE(MAX(number), 0) FROM releases WHERE year = $1) = $2 - 1`,
		r.Year, r.Number, hex.EncodeToString(r.Digest[:]), text, hidden, published)
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

// PublishRelease implements domain.Repository: the idempotency key in ctx is claimed in the
// transaction that records next and its events. A replay returns the release the key recorded,
// as it is stored, and writes nothing; otherwise a nil next gives refusal and writes nothing.
func (s *Store) PublishRelease(ctx context.Context, year int, next *domain.Release, refusal error, events func(*domain.Release) []*domain.Event) (*domain.Release, bool, error) {
	if next == nil && refusal == nil {
		return nil, false, errors.New("store: a publication needs a release or a refusal")
	}
	name := fmt.Sprintf("years/%d/releases/-", year) // a refusal's, rolled back with it
	if next != nil {
		name = domain.ReleaseName(next.Year, next.Number)
		next.PublishTime = storage.Stored(next.PublishTime)
	}
	var replayed *domain.Release
	err := s.Write(ctx, func(tx *sql.Tx) ([]*domain.Event, error) {
		prev, err := idempotency.Claim(ctx, tx, name)
		if err != nil {
			return nil, err
		}
		if prev != "" {
			replayed, err = releaseByName(ctx, tx, year, prev)
			return nil, err
		}
		if next == nil {
			return nil, refusal
		}
		evs := events(next)
		if err := outbox.RequireEvents(evs); err != nil {
			return nil, err
		}
		return evs, insertRelease(ctx, tx, *next)
	})
	switch {
	case err != nil:
		return nil, false, err
	case replayed != nil:
		return replayed, false, nil
	}
	return next, true, nil
}

// releaseByName reads, in q, the release of year that name (years/{year}/releases/{number})
// names, without its figures.
func releaseByName(ctx context.Context, q storage.Querier, year int, name string) (*domain.Release, error) {
	number, err := strconv.Atoi(strings.TrimPrefix(name, fmt.Sprintf("years/%d/releases/", year)))
	if err != nil || domain.ReleaseName(year, number) != name {
		return nil, fmt.Errorf("store: %q names no release of %d", name, year)
	}
	rs, err := storage.Collect(ctx, q, `SELECT year, number, publish_time FROM releases WHERE year = $1 AND number = $2`,
		[]any{year, number}, scanReleaseInfo)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("%s: %w", name, domain.ErrNotFound)
	}
	return rs[0], nil
}

func scanReleaseInfo(row storage.Scanner) (*domain.Release, error) {
	var r domain.Release
	var published sql.NullTime
	if err := row.Scan(&r.Year, &r.Number, &published); err != nil {
		return nil, err
	}
	if published.Valid {
		r.PublishTime = published.Time.UTC()
	}
	return &r, nil
}

// ListReleases implements domain.Repository: a year's releases after number after, oldest
// first, at most limit (0: all), without their figures.
func (s *Store) ListReleases(ctx context.Context, year, after, limit int) ([]*domain.Release, error) {
	return storage.Collect(ctx, s.DB, `SELECT year, number, publish_time FROM releases WHERE year = $1 AND number > $2
		ORDER BY number`+storage.Limit(limit), []any{year, after}, scanReleaseInfo)
}

// LastRelease implements domain.ReleaseLog: one row, by primary key.
func (s *Store) LastRelease(ctx context.Context, year int) (domain.Release, bool, error) {
	rs, err := s.readReleases(ctx, ` AND number = (SELECT MAX(number) FROM releases WHERE year = $1)`, year)
	if err != nil || len(rs) == 0 {
		return domain.Release{}, false, err
	}
	return rs[0], true, nil
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
	return s.readReleases(ctx, "", year)
}

// readReleases reads the releases of year that cond (a condition on $1, the year) selects, oldest
// first.
func (s *Store) readReleases(ctx context.Context, cond string, year int) ([]domain.Release, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT number, digest, figures, hidden, publish_time FROM releases WHERE year = $1`+cond+` ORDER BY number`, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Release
	for rows.Next() {
		var r domain.Release
		var digest, figures string
		var hidden sql.NullString
		var published sql.NullTime
		if err := rows.Scan(&r.Number, &digest, &figures, &hidden, &published); err != nil {
			return nil, err
		}
		if published.Valid {
			r.PublishTime = published.Time.UTC()
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
