package app_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/directory/internal/adapters/grpcapi"
	"github.com/vif71/vif/services/directory/internal/adapters/store"
	"github.com/vif71/vif/services/directory/internal/app"
	"github.com/vif71/vif/services/directory/internal/domain"
	"github.com/vif71/vif/services/directory/internal/refdata"
)

// t0 is where the fixture's clock starts.
var t0 = time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)

// Actors of the permission rules.
var (
	admin       = domain.Actor{Subject: "admin", Admin: true, NetworkSide: true}
	coordinator = func(network string) domain.Actor {
		return domain.Actor{Subject: "coordinator-" + network, Network: network, NetworkSide: true}
	}
	reader = domain.Actor{Subject: "reader", NetworkSide: true}
)

// fixture is the service over a real SQLite store, the real referential, a clock that advances
// one second per reading and a counting id generator.
type fixture struct {
	db    *storage.DB
	svc   *app.Service
	ref   *refdata.Referential
	ticks int
	ids   int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: storagetest.SQLite(t)}
	repo, err := store.Open(ctx, f.db, grpcapi.EncodeEvent, nil)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	if f.ref, err = refdata.Load(); err != nil {
		t.Fatalf("refdata.Load: %v", err)
	}
	now := func() time.Time {
		f.ticks++
		return t0.Add(time.Duration(f.ticks) * time.Second)
	}
	ids := func() string {
		f.ids++
		return fmt.Sprintf("%04d", f.ids)
	}
	f.svc = app.New(repo, f.ref, now, ids)
	return f
}

// organisation returns a valid organisation with every field set.
func organisation(id string) domain.Organisation {
	return domain.Organisation{
		ID:          id,
		DisplayName: "Organisation " + id,
		Kind:        "ASSOCIATION",
		SIRET:       "73282932000074",
		Commune:     "71076",
		Address:     "1 place de l'Hôtel de Ville",
	}
}

func (f *fixture) createOrganisation(t *testing.T, id string) *domain.Organisation {
	t.Helper()
	o, err := f.svc.CreateOrganisation(context.Background(), organisation(id))
	if err != nil {
		t.Fatalf("CreateOrganisation(%q) = %v", id, err)
	}
	return o
}

// member returns a valid member of network, in organisation org.
func member(network, id, org string) domain.Member {
	return domain.Member{
		Network:      network,
		ID:           id,
		Organisation: org,
		DisplayName:  "Member " + id,
		Role:         "référente",
		Domains:      []domain.Domain{"SOCIAL"},
		Email:        id + "@example.org",
	}
}

func (f *fixture) createMember(t *testing.T, network, id, org string) *domain.Member {
	t.Helper()
	m, err := f.svc.CreateMember(context.Background(), admin, member(network, id, org))
	if err != nil {
		t.Fatalf("CreateMember(%q, %q) = %v", network, id, err)
	}
	return m
}

// count returns the number of rows of table.
func (f *fixture) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := f.db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// outboxSubjects returns the subjects of the outbox's events, in order.
func (f *fixture) outboxSubjects(t *testing.T) []string {
	t.Helper()
	rows, err := f.db.QueryContext(context.Background(), `SELECT subject FROM outbox ORDER BY seq`)
	if err != nil {
		t.Fatalf("read outbox: %v", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatalf("read outbox: %v", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read outbox: %v", err)
	}
	return out
}

// violatedFields returns the fields a validation error names, or nil for any other error.
func violatedFields(err error) []string {
	var ve *validation.Error
	if !errors.As(err, &ve) {
		return nil
	}
	var out []string
	for _, v := range ve.Violations {
		out = append(out, v.Field)
	}
	return out
}

// isViolationOf reports whether err is a validation error naming field, and only field.
func isViolationOf(err error, field string) bool {
	fields := violatedFields(err)
	return len(fields) > 0 && !slices.ContainsFunc(fields, func(f string) bool { return f != field })
}

func subject(t domain.EventType) string { return grpcapi.SubjectPrefix + string(t) }
