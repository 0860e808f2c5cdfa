package main

import (
	"slices"
	"testing"
	"time"

	"github.com/vif71/vif/platform/grpcserver/grpctest"
)

// TestStatisticsOverREST reads and writes the statistics through the gateway of the embedded
// default: the public's protected figures, a coordinator's report and its correction, the
// national comparison, and bad input as a 400 naming the field.
func TestStatisticsOverREST(t *testing.T) {
	dataDir := t.TempDir()
	in, _ := startEmbedded(t, dataDir)
	base := "http://" + in.httpAddr
	coordinator := tokenFor(t, dataDir, "--role", "coordinator", "--network", "louhannais")
	reader := tokenFor(t, dataDir, "--role", "reader")

	// The seed writes the national figures last.
	if !grpctest.Within(seedWait, 100*time.Millisecond, func() bool {
		return call(t, "GET", base+"/v1/nationalFigures", "", "").body["totalSize"] == 2.0
	}) {
		t.Fatal("the statistics seed did not finish in 2 minutes")
	}
	yearly := "/v1/networks/-/series" + query("granularity", "GRANULARITY_YEAR", "startPeriod", "2021", "endPeriod", "2022")
	series := call(t, "GET", base+yearly, "", "")
	if periods, _ := series.body["periods"].([]any); series.status != 200 || len(periods) != 2 {
		t.Fatalf("GET %s = %d %v; want the seeded years", yearly, series.status, series.body)
	}
	if series.body["view"] != "VIEW_PROTECTED" || series.body["threshold"] != "5" {
		t.Errorf("public series view %v threshold %v; want VIEW_PROTECTED and \"5\"", series.body["view"], series.body["threshold"])
	}
	p2022 := series.body["periods"].([]any)[1].(map[string]any)
	victims := p2022["figures"].(map[string]any)["victimsSupported"].(map[string]any)
	if p2022["period"] != "2022" || victims["value"] == nil || p2022["victimsChangePercent"].(map[string]any)["value"] == nil {
		t.Errorf("public 2022 = %v; want the département's victims and their change published", p2022)
	}

	steps := []struct {
		method, path, token, body string
		want                      int
		field                     string
	}{
		{"POST", "/v1/networks/louhannais/reports", "", `{"period":"2024-01","counts":{"victimsSupported":"12"}}`, 401, ""},
		{"POST", "/v1/networks/louhannais/reports", reader, `{"period":"2024-01","counts":{"victimsSupported":"12"}}`, 403, ""},
		{"POST", "/v1/networks/chalonnais/reports", coordinator, `{"period":"2024-01","counts":{"victimsSupported":"12"}}`, 403, ""},
		{"POST", "/v1/networks/louhannais/reports", coordinator, `{"period":"2024-01","counts":{"victimsSupported":"12","bySex":[{"sex":"SEX_FEMALE","count":"13"}]}}`, 400, "counts.by_sex"},
		{"POST", "/v1/networks/louhannais/reports", coordinator, `{"period":"2024-1","counts":{"victimsSupported":"12"}}`, 400, "period"},
		{"POST", "/v1/networks/louhannais/reports", coordinator, `{"period":"2024-01","counts":{"victimsSupported":"12","name":"Jane"}}`, 400, ""},
		{"GET", "/v1/networks/louhannais/reports/2024-01", coordinator, "", 404, ""},
		{"POST", "/v1/networks/louhannais/reports", coordinator, `{"period":"2024-01","counts":{"victimsSupported":"12","bySex":[{"sex":"SEX_FEMALE","count":"11"}]}}`, 200, ""},
		{"POST", "/v1/networks/louhannais/reports", coordinator, `{"period":"2024-01","counts":{"victimsSupported":"3"}}`, 200, ""},
		{"GET", "/v1/networks/-/series?granularity=GRANULARITY_DECADE&startPeriod=2020&endPeriod=2021", "", "", 400, ""},
		{"GET", "/v1/networks/-/series?granularity=GRANULARITY_YEAR&startPeriod=2022&endPeriod=2021", "", "", 400, "end_period"},
	}
	for _, s := range steps {
		r := call(t, s.method, base+s.path, s.token, s.body)
		if r.status != s.want {
			t.Errorf("%s %s %s = %d %v; want %d", s.method, s.path, s.body, r.status, r.body, s.want)
			continue
		}
		if _, fields := errorDetails(r); s.field != "" && !slices.Contains(fields, s.field) {
			t.Errorf("%s %s %s: fields %v; want %q", s.method, s.path, s.body, fields, s.field)
		}
	}

	own := call(t, "GET", base+"/v1/networks/louhannais/reports/2024-01", coordinator, "")
	ownVictims, _ := own.body["figures"].(map[string]any)["victimsSupported"].(map[string]any)
	if own.status != 200 || own.body["revision"] != "2" || own.body["view"] != "VIEW_RAW" || ownVictims["value"] != "3" {
		t.Errorf("the coordinator's corrected report = %d %v; want revision 2, raw, 3 victims", own.status, own.body)
	}
	publishOverREST(t, base, coordinator, tokenFor(t, dataDir, "--role", "admin"))
	public := call(t, "GET", base+"/v1/networks/louhannais/reports/2024-01", "", "")
	pubVictims, _ := public.body["figures"].(map[string]any)["victimsSupported"].(map[string]any)
	if public.status != 200 || public.body["view"] != "VIEW_PROTECTED" || pubVictims["hidden"] != true || pubVictims["value"] != nil {
		t.Errorf("the public's view of a report of 3 victims = %d %v; want it hidden, with no value", public.status, public.body)
	}

	cmp := call(t, "GET", base+"/v1/networks/-/nationalComparison?startYear=2022&endYear=2022", "", "")
	years, _ := cmp.body["years"].([]any)
	if cmp.status != 200 || len(years) != 1 || years[0].(map[string]any)["nationalChangePercent"].(map[string]any)["value"] != 21.0 {
		t.Errorf("national comparison 2022 = %d %v; want the national +21 %%", cmp.status, cmp.body)
	}
}

// publishOverREST: to the public the coordinator's report of 2024 does not exist until an admin
// publishes the year; publishing is the admin's (401 without a token, 403 for a coordinator, 400
// for a year out of range), a second publication with nothing new is 409 NOTHING_TO_PUBLISH, and
// the year's releases say when it was published.
func publishOverREST(t *testing.T, base, coordinator, admin string) {
	t.Helper()
	if r := call(t, "GET", base+"/v1/networks/louhannais/reports/2024-01", "", ""); r.status != 404 {
		t.Errorf("the public's view of a report not yet published = %d %v; want 404, as a report nobody submitted", r.status, r.body)
	}
	publishSteps := []struct {
		path, token string
		want        int
		reason      string
	}{
		{"/v1/years/2024/releases", "", 401, ""},
		{"/v1/years/2024/releases", coordinator, 403, ""},
		{"/v1/years/1999/releases", admin, 400, ""},
		{"/v1/years/2024/releases", admin, 200, ""},
		{"/v1/years/2024/releases", admin, 409, "NOTHING_TO_PUBLISH"},
	}
	for _, s := range publishSteps {
		r := call(t, "POST", base+s.path, s.token, `{}`)
		if reason, _ := errorDetails(r); r.status != s.want || (s.reason != "" && reason != s.reason) {
			t.Errorf("POST %s = %d %v (reason %q); want %d %q", s.path, r.status, r.body, reason, s.want, s.reason)
		}
	}
	list := call(t, "GET", base+"/v1/years/2024/releases", "", "")
	if rels, _ := list.body["releases"].([]any); list.status != 200 || len(rels) != 1 || rels[0].(map[string]any)["name"] != "years/2024/releases/1" ||
		rels[0].(map[string]any)["publishTime"] == nil {
		t.Errorf("GET /v1/years/2024/releases = %d %v; want release 1 with its publish time", list.status, list.body)
	}
}
