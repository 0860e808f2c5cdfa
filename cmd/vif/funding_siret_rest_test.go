package main

import (
	"bytes"
	"encoding/csv"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/vif71/vif/platform/frid"
	"github.com/vif71/vif/platform/grpcserver/grpctest"
)

// TestSeededSIRETsFillTheExport: the seeded funders and posts carry valid SIRETs, so the SCDL
// export of a signed seeded plan fills idAttribuant and idBeneficiaire, which the schema requires.
func TestSeededSIRETsFillTheExport(t *testing.T) {
	dataDir := t.TempDir()
	in, _ := startEmbedded(t, dataDir)
	base := "http://" + in.httpAddr
	finance := tokenFor(t, dataDir, "--role", "finance")

	if !grpctest.Within(seedWait, 50*time.Millisecond, func() bool {
		return call(t, "GET", base+"/v1/posts/iscg-louhannais/plans/2024", finance, "").status == 200
	}) {
		t.Fatal("the seeded plan of posts/iscg-louhannais never appeared")
	}
	for _, list := range []string{"funders", "posts"} {
		r := call(t, "GET", base+"/v1/"+list+"?pageSize=1000", finance, "")
		items, _ := r.body[list].([]any)
		if r.status != 200 || len(items) == 0 {
			t.Fatalf("GET /v1/%s = %d %v", list, r.status, r.body)
		}
		for _, it := range items {
			it := it.(map[string]any)
			if siret, _ := it["siret"].(string); !frid.ValidSIRET(siret) || it["illustrative"] != true {
				t.Errorf("seeded %s siret %q, illustrative %v; want a valid SIRET, marked illustrative", it["name"], siret, it["illustrative"])
			}
		}
	}

	for _, s := range []struct{ path, body string }{
		{"/v1/agreements", `{"plan":"posts/iscg-louhannais/plans/2024"}`},
		{"/v1/agreements/iscg-louhannais-2024:sign", `{"reference":"CONV-2024-03","signDate":{"year":2024,"month":2,"day":1}}`},
	} {
		if r := call(t, "POST", base+s.path, finance, s.body); r.status != 200 {
			t.Fatalf("POST %s = %d %v", s.path, r.status, r.body)
		}
	}
	req, _ := http.NewRequest("GET", base+"/v1/agreements:export?year=2024", nil)
	req.Header.Set("Authorization", "Bearer "+finance)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(records) < 2 {
		t.Fatalf("export = %d, %v:\n%s", resp.StatusCode, err, data)
	}
	for _, column := range []string{"idAttribuant", "idBeneficiaire"} {
		i := slices.Index(records[0], column)
		for _, r := range records[1:] {
			if i < 0 || !frid.ValidSIRET(r[i]) {
				t.Errorf("export row %q: %s is not a valid SIRET", r, column)
			}
		}
	}
}
