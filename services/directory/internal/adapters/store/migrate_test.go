package store_test

import (
	"context"
	"os"
	"testing"

	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
	"github.com/vif71/vif/services/directory/internal/adapters/grpcapi"
	"github.com/vif71/vif/services/directory/internal/adapters/store"
	"github.com/vif71/vif/services/directory/internal/domain"
)

// TestUpgradeKeepsOrganisationsAndMembers writes an organisation (deleted, every field set) and
// one of its members into a database migrated as it was before the request_id columns went
// (migration 00003 rebuilds both tables), opens the store on it and reads them back unchanged;
// the member's foreign key still refuses a member of a missing organisation.
func TestUpgradeKeepsOrganisationsAndMembers(t *testing.T) {
	for _, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			ctx := context.Background()
			storagetest.MigrateUpTo(t, d.DB, os.DirFS("migrations"), "goose_directory", 2)
			f := &fixture{db: d.DB}
			o, m := f.org("caf-71"), f.member("net-1", "m-1", "caf-71", domain.Domain("JUSTICE"))
			o.DeleteTime = f.now()
			insertV2(t, d.DB, o, m)
			repo, err := store.Open(ctx, d.DB, grpcapi.EncodeEvent, nil)
			if err != nil {
				t.Fatalf("store.Open on a version 2 database: %v", err)
			}
			if got, err := repo.GetOrganisation(ctx, "caf-71"); err != nil || !sameOrganisation(got, o) {
				t.Errorf("GetOrganisation(%q) after the upgrade = %+v, %v; want %+v", "caf-71", got, err, o)
			}
			if got, err := repo.GetMember(ctx, "net-1", "m-1"); err != nil || !sameMember(got, m) {
				t.Errorf("GetMember(%q, %q) after the upgrade = %+v, %v; want %+v", "net-1", "m-1", got, err, m)
			}
			orphan := *m
			orphan.ID, orphan.Organisation = "m-2", "nowhere"
			if err := insertMember(ctx, d.DB, &orphan); err == nil {
				t.Errorf("inserting a member of a missing organisation after the upgrade succeeded; want a foreign key violation")
			}
		})
	}
}

// TestDowngradeKeepsOrganisationsAndMembers migrates a store's database down to version 2 (the
// request_id columns back) and up again, and finds what was created before still there.
func TestDowngradeKeepsOrganisationsAndMembers(t *testing.T) {
	for _, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, d.DB)
			o := f.org("caf-71")
			f.createOrg(t, o)
			m := f.member("net-1", "m-1", "caf-71")
			if _, _, err := f.repo.CreateMember(ctx, m, func(*domain.Organisation) (*domain.Event, error) { return f.memberCreated(m), nil }); err != nil {
				t.Fatal(err)
			}
			storagetest.MigrateDownTo(t, d.DB, os.DirFS("migrations"), "goose_directory", 2)
			var without int
			if err := d.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations WHERE request_id IS NULL`).Scan(&without); err != nil || without != 1 {
				t.Errorf("organisations without a request_id at version 2: %d, %v; want 1", without, err)
			}
			repo, err := store.Open(ctx, d.DB, grpcapi.EncodeEvent, nil)
			if err != nil {
				t.Fatalf("store.Open after the downgrade: %v", err)
			}
			if got, err := repo.GetOrganisation(ctx, "caf-71"); err != nil || !sameOrganisation(got, o) {
				t.Errorf("GetOrganisation(%q) after down and up = %+v, %v; want %+v", "caf-71", got, err, o)
			}
			if got, err := repo.GetMember(ctx, "net-1", "m-1"); err != nil || !sameMember(got, m) {
				t.Errorf("GetMember(%q, %q) after down and up = %+v, %v; want %+v", "net-1", "m-1", got, err, m)
			}
		})
	}
}

// insertV2 writes o and m as the store wrote them at version 2.
func insertV2(t *testing.T, db *storage.DB, o *domain.Organisation, m *domain.Member) {
	t.Helper()
	ctx := context.Background()
	_, err := db.ExecContext(ctx, `INSERT INTO organisations (id, display_name, kind, siret, commune, address,
		illustrative, revision, create_time, update_time, delete_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		o.ID, o.DisplayName, string(o.Kind), o.SIRET, o.Commune, o.Address, o.Illustrative, o.Revision,
		storage.Stored(o.CreateTime), storage.Stored(o.UpdateTime), storage.Stored(o.DeleteTime))
	if err != nil {
		t.Fatalf("insert organisation at version 2: %v", err)
	}
	if err := insertMember(ctx, db, m); err != nil {
		t.Fatalf("insert member at version 2: %v", err)
	}
}

func insertMember(ctx context.Context, db *storage.DB, m *domain.Member) error {
	domains := ","
	for _, d := range m.Domains {
		domains += string(d) + ","
	}
	_, err := db.ExecContext(ctx, `INSERT INTO members (network, id, organisation, display_name, role, domains,
		email, phone, revision, create_time, update_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		m.Network, m.ID, m.Organisation, m.DisplayName, m.Role, domains, m.Email, m.Phone, m.Revision,
		storage.Stored(m.CreateTime), storage.Stored(m.UpdateTime))
	return err
}
