package store_test

import (
	"context"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
	"github.com/vif71/vif/services/funding/internal/adapters/store"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// fundingTables are the service's tables, parents first.
var fundingTables = []string{"funders", "posts", "plans", "agreements", "contributions", "payments"}

// TestUpgradeKeepsFundingData copies what the store wrote (funders, a post, a plan, a signed
// agreement, its contributions and a payment) into a database migrated as it was before the
// request_id columns went (migration 00003 rebuilds the six tables), opens the store on it and
// reads everything back unchanged; the foreign keys still refuse a payment of a missing
// contribution and a plan of a missing post.
func TestUpgradeKeepsFundingData(t *testing.T) {
	for _, e := range enginePairs(t) {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, e.src)
			want := writeFundingData(t, f)
			storagetest.MigrateUpTo(t, e.dst, os.DirFS("migrations"), "goose_funding", 2)
			for _, table := range fundingTables {
				copyRows(t, e.src, e.dst, table)
			}
			repo, err := store.Open(ctx, e.dst, encodeEvent, nil)
			if err != nil {
				t.Fatalf("store.Open on a version 2 database: %v", err)
			}
			if got := readFundingData(t, repo); !reflect.DeepEqual(got, want) {
				t.Errorf("after the upgrade the store reads %+v; want %+v", got, want)
			}
			if _, err := e.dst.ExecContext(ctx, `INSERT INTO payments (agreement, funder, seq, amount_cents, payment_date)
				VALUES ('conv-1', 'nobody', 1, 100, '2026-04-02')`); err == nil {
				t.Errorf("a payment of a missing contribution after the upgrade was accepted; want a foreign key violation")
			}
			if _, err := e.dst.ExecContext(ctx, `INSERT INTO plans (post, year, annual_cost_cents, state_share_bp, rule,
				revision, create_time, update_time) VALUES ('nowhere', 2026, 1, 0, 'EXPLICIT', 1, $1, $1)`, storage.Stored(t0)); err == nil {
				t.Errorf("a plan of a missing post after the upgrade was accepted; want a foreign key violation")
			}
		})
	}
}

// TestDowngradeKeepsFundingData migrates a store's database down to version 2 (the request_id
// columns back) and up again, and finds what was written before still there.
func TestDowngradeKeepsFundingData(t *testing.T) {
	for _, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			f := newFixture(t, d.DB)
			want := writeFundingData(t, f)
			storagetest.MigrateDownTo(t, d.DB, os.DirFS("migrations"), "goose_funding", 2)
			var without int
			if err := d.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM payments WHERE request_id IS NULL`).Scan(&without); err != nil || without != 1 {
				t.Errorf("payments without a request_id at version 2: %d, %v; want 1", without, err)
			}
			repo, err := store.Open(context.Background(), d.DB, encodeEvent, nil)
			if err != nil {
				t.Fatalf("store.Open after the downgrade: %v", err)
			}
			if got := readFundingData(t, repo); !reflect.DeepEqual(got, want) {
				t.Errorf("after down and up the store reads %+v; want %+v", got, want)
			}
		})
	}
}

// fundingData is everything the store holds, as it reads it back.
type fundingData struct {
	Funders       []*domain.Funder
	Posts         []*domain.Post
	Plans         []*domain.Plan
	Agreements    []*domain.Agreement
	Contributions []*domain.Contribution
}

// writeFundingData writes a row in each table through the store (a post with every field set,
// the fixture's funders, its plan, a signed agreement and a payment) and returns what it reads.
func writeFundingData(t *testing.T, f *fixture) fundingData {
	t.Helper()
	p := f.post("iscg-a")
	p.EndDate = "2028-12-31"
	f.createFunders(t)
	f.createPost(t, p)
	f.signedAgreement(t, "conv-1", "iscg-a", 2026)
	f.pay(t, "conv-1", etat, "", 33_000, "VIR-2026-0412")
	return readFundingData(t, f.repo)
}

func readFundingData(t *testing.T, repo domain.Repository) fundingData {
	t.Helper()
	ctx := context.Background()
	all := domain.Query{Limit: 100}
	var d fundingData
	var err [5]error
	d.Funders, _, err[0] = repo.ListFunders(ctx, all)
	d.Posts, _, err[1] = repo.ListPosts(ctx, all)
	d.Plans, _, err[2] = repo.ListPlans(ctx, all)
	d.Agreements, _, err[3] = repo.ListAgreements(ctx, all)
	d.Contributions, _, err[4] = repo.ListContributions(ctx, all)
	for _, e := range err {
		if e != nil {
			t.Fatalf("read the funding data: %v", e)
		}
	}
	return d
}

// enginePair is two fresh databases of one engine.
type enginePair struct {
	name     string
	src, dst *storage.DB
}

func enginePairs(t *testing.T) []enginePair {
	t.Helper()
	pairs := []enginePair{{"sqlite", storagetest.SQLite(t), storagetest.SQLite(t)}}
	if pg := storagetest.Postgres(t); pg != nil {
		pairs = append(pairs, enginePair{"postgres", pg, storagetest.Postgres(t)})
	}
	return pairs
}

// copyRows inserts every row of table in src into the table of that name in dst, column by
// column as src has them: dst may have more columns (those left get their defaults).
func copyRows(t *testing.T, src, dst *storage.DB, table string) {
	t.Helper()
	ctx := context.Background()
	rows, err := src.QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	marks := make([]string, len(cols))
	for i := range marks {
		marks[i] = "$" + strconv.Itoa(i+1)
	}
	insert := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES (` + strings.Join(marks, ", ") + `)`
	for rows.Next() {
		values, ptrs := make([]any, len(cols)), make([]any, len(cols))
		for i := range values {
			ptrs[i] = &values[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		if _, err := dst.ExecContext(ctx, insert, values...); err != nil {
			t.Fatalf("copy a row of %s: %v", table, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}
