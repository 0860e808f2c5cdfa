package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/vif71/vif/platform/sqlstore"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/directory/internal/domain"
)

const memberColumns = `network, id, organisation, display_name, role, domains, email, phone, revision, create_time, update_time`

// Domains are stored as ",A,B," so that "has domain X" is LIKE '%,X,%' on both engines.
func encodeDomains(ds []domain.Domain) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = string(d)
	}
	return "," + strings.Join(parts, ",") + ","
}

func decodeDomains(s string) []domain.Domain {
	var out []domain.Domain
	for _, p := range strings.Split(strings.Trim(s, ","), ",") {
		if p != "" {
			out = append(out, domain.Domain(p))
		}
	}
	return out
}

func scanMember(row storage.Scanner) (*domain.Member, error) {
	var m domain.Member
	var domains string
	err := row.Scan(&m.Network, &m.ID, &m.Organisation, &m.DisplayName, &m.Role, &domains, &m.Email, &m.Phone, &m.Revision, &m.CreateTime, &m.UpdateTime)
	if err != nil {
		return nil, err
	}
	m.Domains = decodeDomains(domains)
	m.CreateTime, m.UpdateTime = m.CreateTime.UTC(), m.UpdateTime.UTC()
	return &m, nil
}

func getMember(ctx context.Context, q storage.Querier, network, id, suffix string) (*domain.Member, error) {
	m, err := scanMember(q.QueryRowContext(ctx, `SELECT `+memberColumns+` FROM members WHERE network = $1 AND id = $2`+suffix, network, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.ErrNotFound
	}
	return m, err
}

// CreateMember implements domain.Repository. The idempotency key in ctx is claimed in the same
// transaction (idempotency.Claim): a replay returns the member created then, without calling
// check.
func (s *Store) CreateMember(ctx context.Context, m *domain.Member, check func(*domain.Organisation) (*domain.Event, error)) (*domain.Member, bool, error) {
	return sqlstore.Create(ctx, s.Shell, m.Name(), m, domain.ErrAlreadyExists,
		func(tx *sql.Tx, prev string) (*domain.Member, error) {
			network, id, ok := strings.Cut(strings.TrimPrefix(prev, "networks/"), "/members/")
			if !ok {
				return nil, fmt.Errorf("store: %q names no member", prev)
			}
			return getMember(ctx, tx, network, id, "")
		},
		func(tx *sql.Tx) ([]*domain.Event, error) {
			org, err := getOrganisation(ctx, tx, m.Organisation, s.ForShare())
			if errors.Is(err, domain.ErrNotFound) {
				org, err = nil, nil
			}
			if err != nil {
				return nil, err
			}
			ev, err := check(org)
			if err != nil {
				return nil, err
			}
			m.CreateTime, m.UpdateTime = storage.Stored(m.CreateTime), storage.Stored(m.UpdateTime)
			_, err = tx.ExecContext(ctx, `INSERT INTO members (`+memberColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
				m.Network, m.ID, m.Organisation, m.DisplayName, m.Role, encodeDomains(m.Domains), m.Email, m.Phone,
				m.Revision, m.CreateTime, m.UpdateTime)
			if err != nil {
				return nil, err
			}
			return []*domain.Event{ev}, nil
		})
}

// GetMember implements domain.Repository.
func (s *Store) GetMember(ctx context.Context, network, id string) (*domain.Member, error) {
	return getMember(ctx, s.DB, network, id, "")
}

// ListMembers implements domain.Repository. Members are ordered by network then id, which is
// their resource name's order.
func (s *Store) ListMembers(ctx context.Context, q domain.MemberQuery) ([]*domain.Member, int, error) {
	var w storage.Where
	if q.Network != "" {
		w.Add("network = ?", q.Network)
	}
	if q.Organisation != "" {
		w.Add("organisation = ?", q.Organisation)
	}
	if q.Domain != "" {
		w.Add("domains LIKE ?", "%,"+string(q.Domain)+",%")
	}
	resume := func(w *storage.Where) error {
		if q.After == "" {
			return nil
		}
		network, id, ok := splitMemberName(q.After)
		if !ok {
			return fmt.Errorf("bad resume key %q", q.After)
		}
		w.Add("(network > ? OR (network = ? AND id > ?))", network, network, id)
		return nil
	}
	return storage.ReadPage(ctx, s.DB, "members", memberColumns, &w, resume, "network, id", q.Limit, scanMember)
}

func splitMemberName(name string) (network, id string, ok bool) {
	parts := strings.Split(name, "/")
	if len(parts) != 4 || parts[0] != "networks" || parts[2] != "members" {
		return "", "", false
	}
	return parts[1], parts[3], true
}

// UpdateMember implements domain.Repository.
func (s *Store) UpdateMember(ctx context.Context, network, id string, update func(*domain.Member, func(string) (*domain.Organisation, error)) (*domain.Event, error)) (*domain.Member, error) {
	var updated *domain.Member
	err := s.Write(ctx, func(tx *sql.Tx) ([]*domain.Event, error) {
		m, err := getMember(ctx, tx, network, id, s.ForUpdate())
		if err != nil {
			return nil, err
		}
		orgOf := func(orgID string) (*domain.Organisation, error) {
			o, err := getOrganisation(ctx, tx, orgID, s.ForShare())
			if errors.Is(err, domain.ErrNotFound) {
				return nil, nil
			}
			return o, err
		}
		ev, err := update(m, orgOf)
		if err != nil {
			return nil, err
		}
		m.UpdateTime = storage.Stored(m.UpdateTime)
		_, err = tx.ExecContext(ctx, `UPDATE members SET organisation = $3, display_name = $4, role = $5,
			domains = $6, email = $7, phone = $8, revision = $9, update_time = $10 WHERE network = $1 AND id = $2`,
			m.Network, m.ID, m.Organisation, m.DisplayName, m.Role, encodeDomains(m.Domains), m.Email, m.Phone,
			m.Revision, m.UpdateTime)
		if err != nil {
			return nil, err
		}
		updated = m
		return []*domain.Event{ev}, nil
	})
	return updated, err
}

// DeleteMember implements domain.Repository.
func (s *Store) DeleteMember(ctx context.Context, network, id string, check func(*domain.Member) (*domain.Event, error)) error {
	return s.Write(ctx, func(tx *sql.Tx) ([]*domain.Event, error) {
		m, err := getMember(ctx, tx, network, id, s.ForUpdate())
		if err != nil {
			return nil, err
		}
		ev, err := check(m)
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM members WHERE network = $1 AND id = $2`, network, id); err != nil {
			return nil, err
		}
		return []*domain.Event{ev}, nil
	})
}
