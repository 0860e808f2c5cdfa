package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/vif71/vif/platform/sqlstore"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/funding/internal/domain"
)

const postColumns = `id, display_name, network, host_organisation, fte_thousandths, start_date, end_date, illustrative, revision, create_time, update_time, siret`

var postFilters = map[string]storage.FilterColumn{
	"network":           {Column: "network"},
	"host_organisation": {Column: "host_organisation"},
}

func scanPost(row storage.Scanner) (*domain.Post, error) {
	var p domain.Post
	var start, end string
	err := row.Scan(&p.ID, &p.DisplayName, &p.Network, &p.HostOrganisation, &p.FTEThousandths, &start, &end,
		&p.Illustrative, &p.Revision, &p.CreateTime, &p.UpdateTime, &p.SIRET)
	if err != nil {
		return nil, err
	}
	p.StartDate, p.EndDate = domain.Date(start), domain.Date(end)
	p.CreateTime, p.UpdateTime = p.CreateTime.UTC(), p.UpdateTime.UTC()
	return &p, nil
}

func getPost(ctx context.Context, q storage.Querier, id, suffix string) (*domain.Post, error) {
	return storage.GetByID(ctx, q, "posts", postColumns, id, suffix, scanPost)
}

// CreatePost implements domain.Repository. The idempotency key in ctx is claimed in the same
// transaction (idempotency.Claim): a replay returns the post created then.
func (s *Store) CreatePost(ctx context.Context, p *domain.Post, ev *domain.Event) (*domain.Post, bool, error) {
	return sqlstore.Create(ctx, s.Shell, p.Name(), p, domain.ErrAlreadyExists,
		func(tx *sql.Tx, prev string) (*domain.Post, error) {
			return getPost(ctx, tx, strings.TrimPrefix(prev, "posts/"), "")
		},
		func(tx *sql.Tx) ([]*domain.Event, error) {
			p.CreateTime, p.UpdateTime = storage.Stored(p.CreateTime), storage.Stored(p.UpdateTime)
			_, err := tx.ExecContext(ctx, `INSERT INTO posts (`+postColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
				p.ID, p.DisplayName, p.Network, p.HostOrganisation, p.FTEThousandths, string(p.StartDate), string(p.EndDate),
				p.Illustrative, p.Revision, p.CreateTime, p.UpdateTime, p.SIRET)
			if err != nil {
				return nil, err
			}
			return []*domain.Event{ev}, nil
		})
}

// GetPost implements domain.Repository.
func (s *Store) GetPost(ctx context.Context, id string) (*domain.Post, error) {
	return getPost(ctx, s.DB, id, "")
}

// ListPosts implements domain.Repository: filters network and host_organisation; ordered and
// resumed by id.
func (s *Store) ListPosts(ctx context.Context, q domain.Query) ([]*domain.Post, int, error) {
	return storage.ReadPageByID(ctx, s.DB, "posts", postColumns, q.Filters, postFilters, q.After, q.Limit, scanPost)
}

// UpdatePost implements domain.Repository.
func (s *Store) UpdatePost(ctx context.Context, id string, update func(*domain.Post) (*domain.Event, error)) (*domain.Post, error) {
	var updated *domain.Post
	err := s.Write(ctx, func(tx *sql.Tx) ([]*domain.Event, error) {
		p, err := getPost(ctx, tx, id, s.ForNoKeyUpdate())
		if err != nil {
			return nil, err
		}
		ev, err := update(p)
		if err != nil {
			return nil, err
		}
		p.ID = id
		p.UpdateTime = storage.Stored(p.UpdateTime)
		_, err = tx.ExecContext(ctx, `UPDATE posts SET display_name = $2, network = $3, host_organisation = $4,
			fte_thousandths = $5, start_date = $6, end_date = $7, illustrative = $8, revision = $9, update_time = $10,
			siret = $11
			WHERE id = $1`,
			id, p.DisplayName, p.Network, p.HostOrganisation, p.FTEThousandths, string(p.StartDate), string(p.EndDate),
			p.Illustrative, p.Revision, p.UpdateTime, p.SIRET)
		if err != nil {
			return nil, err
		}
		updated = p
		return []*domain.Event{ev}, nil
	})
	if err != nil {
		return nil, err
	}
	return updated, nil
}
