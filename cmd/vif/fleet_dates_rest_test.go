package main

import (
	"slices"
	"testing"
	"time"

	"github.com/vif71/vif/platform/grpcserver/grpctest"
)

// TestFleetDatesOverREST: what a fleet manager sends in the body is what is kept (the retire date,
// the day of a proposal given in the cession), a plate the Caf already holds is refused, and a
// list whose window ends before it starts is a 400, as the count already is.
func TestFleetDatesOverREST(t *testing.T) {
	dataDir := t.TempDir()
	in, _ := startEmbedded(t, dataDir)
	base := "http://" + in.httpAddr
	fleet := tokenFor(t, dataDir, "--role", "fleet")

	var cessions response
	if !grpctest.Within(seedWait, 50*time.Millisecond, func() bool {
		cessions = call(t, "GET", base+"/v1/cessions", fleet, "")
		return cessions.status == 200 && cessions.body["totalSize"] == float64(17)
	}) {
		t.Fatalf("GET /v1/cessions = %d %v; want the 17 seeded cessions", cessions.status, cessions.body["totalSize"])
	}

	vehicle := `{"vin":"VF1RFB00X51234567","plate":"AB-123-CD","make":"Renault","model":"Clio","firstRegistrationDate":{"year":2015,"month":3,"day":1}}`
	if r := call(t, "POST", base+"/v1/vehicles?vehicleId=clio-2015", fleet, vehicle); r.status != 200 {
		t.Fatalf("POST /v1/vehicles = %d %v", r.status, r.body)
	}
	twin := `{"vin":"VF1RFB00X51234568","plate":"AB-123-CD","make":"Renault","model":"Clio","firstRegistrationDate":{"year":2016,"month":3,"day":1}}`
	if r := call(t, "POST", base+"/v1/vehicles?vehicleId=clio-twin", fleet, twin); r.status != 409 || reasonOf(r) != "PLATE_IN_USE" {
		t.Errorf("POST /v1/vehicles with a plate the Caf holds = %d %v; want 409 PLATE_IN_USE", r.status, r.body)
	}
	retired := call(t, "POST", base+"/v1/vehicles/clio-2015:retire", fleet, `{"retireDate":{"year":2026,"month":1,"day":5}}`)
	if d, _ := retired.body["retireDate"].(map[string]any); retired.status != 200 || d["year"] != float64(2026) || d["month"] != float64(1) || d["day"] != float64(5) {
		t.Errorf("POST :retire = %d %v; want 200 with retireDate 2026-01-05", retired.status, retired.body)
	}
	if r := call(t, "GET", base+"/v1/vehicles/clio-2015", fleet, ""); r.body["retireDate"] == nil {
		t.Errorf("GET /v1/vehicles/clio-2015 = %v; want its retireDate", r.body)
	}

	cession := func(day string) string {
		return `{"vehicle":"vehicles/clio-2015","beneficiary":"organisations/garage-solidaire-bourgogne","proposeDate":{"year":2026,"month":1,"day":` + day + `}}`
	}
	for _, s := range []struct {
		path, body, field string
	}{
		{"/v1/cessions?cessionId=too-early", cession("4"), "cession.propose_date"},
		{"/v1/cessions?cessionId=twice&proposeDate.year=2026&proposeDate.month=1&proposeDate.day=13", cession("12"), "cession.propose_date"},
		{"/v1/cessions?cessionId=too-early-q&proposeDate.year=2026&proposeDate.month=1&proposeDate.day=4",
			`{"vehicle":"vehicles/clio-2015","beneficiary":"organisations/garage-solidaire-bourgogne"}`, "propose_date"},
	} {
		r := call(t, "POST", base+s.path, fleet, s.body)
		if _, fields := errorDetails(r); r.status != 400 || !slices.Contains(fields, s.field) {
			t.Errorf("POST %s %s = %d %v; want 400 naming %s", s.path, s.body, r.status, r.body, s.field)
		}
	}
	proposed := call(t, "POST", base+"/v1/cessions?cessionId=clio-2015-garage", fleet, cession("12"))
	if d, _ := proposed.body["proposeDate"].(map[string]any); proposed.status != 200 || d["year"] != float64(2026) || d["month"] != float64(1) || d["day"] != float64(12) {
		t.Errorf("POST /v1/cessions with proposeDate 2026-01-12 in the body = %d %v; want it proposed on that day", proposed.status, proposed.body)
	}

	reversed := "/v1/cessions" + query(window([3]string{"2023", "12", "31"}, [3]string{"2017", "1", "1"})...)
	for _, path := range []string{reversed, "/v1/cessions" + query("startDate.year", "2024", "startDate.month", "1", "startDate.day", "1")} {
		r := call(t, "GET", base+path, fleet, "")
		if _, fields := errorDetails(r); r.status != 400 || !slices.Contains(fields, "end_date") {
			t.Errorf("GET %s = %d %v; want 400 naming end_date", path, r.status, r.body)
		}
	}
}

func reasonOf(r response) string {
	reason, _ := errorDetails(r)
	return reason
}
