package main

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/vif71/vif/platform/grpcserver/grpctest"
)

// errorDetails returns the ErrorInfo reason and the BadRequest fields of an error body in the
// Google JSON error shape.
func errorDetails(r response) (reason string, fields []string) {
	e, _ := r.body["error"].(map[string]any)
	details, _ := e["details"].([]any)
	for _, d := range details {
		d, _ := d.(map[string]any)
		switch d["@type"] {
		case "type.googleapis.com/google.rpc.ErrorInfo":
			reason, _ = d["reason"].(string)
		case "type.googleapis.com/google.rpc.BadRequest":
			violations, _ := d["fieldViolations"].([]any)
			for _, v := range violations {
				v, _ := v.(map[string]any)
				f, _ := v["field"].(string)
				fields = append(fields, f)
			}
		}
	}
	return reason, fields
}

// query builds a query string from pairs of names and values.
func query(pairs ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Set(pairs[i], pairs[i+1])
	}
	return "?" + v.Encode()
}

// window is the query of a period, as the list and count endpoints take it.
func window(from, to [3]string) []string {
	return []string{"startDate.year", from[0], "startDate.month", from[1], "startDate.day", from[2],
		"endDate.year", to[0], "endDate.month", to[1], "endDate.day", to[2]}
}

// TestFleetOverREST runs a fleet manager's cession through the gateway of the embedded default:
// register a vehicle with its first reading, retire it, offer it to the garage solidaire,
// approve, hand over and declare; then what the partner and a reader see, and the count of the
// article's cessions. Bad input is a 400 naming the field, a missing or weak token 401 or 403,
// a stale etag or a step out of turn 409.
func TestFleetOverREST(t *testing.T) {
	dataDir := t.TempDir()
	in, _ := startEmbedded(t, dataDir)
	base := "http://" + in.httpAddr
	fleet := tokenFor(t, dataDir, "--role", "fleet")
	reader := tokenFor(t, dataDir, "--role", "reader")
	garage := tokenFor(t, dataDir, "--role", "beneficiary", "--organisation", "garage-solidaire-bourgogne")

	// The fleet seeds the article's 17 cessions once the directory answers.
	var cessions response
	if !grpctest.Within(seedWait, 50*time.Millisecond, func() bool {
		cessions = call(t, "GET", base+"/v1/cessions", reader, "")
		return cessions.status == 200 && cessions.body["totalSize"] == float64(17)
	}) {
		t.Fatalf("GET /v1/cessions = %d %v; want the 17 seeded cessions", cessions.status, cessions.body["totalSize"])
	}

	registerPath := "/v1/vehicles" + query("vehicleId", "clio-2015", "initialReading.readingDate.year", "2016",
		"initialReading.readingDate.month", "1", "initialReading.readingDate.day", "10", "initialReading.odometerKm", "12000")
	vehicle := func(vin, plate string) string {
		return `{"vin":"` + vin + `","plate":"` + plate + `","make":"Renault","model":"Clio","firstRegistrationDate":{"year":2015,"month":3,"day":1}}`
	}
	const goodVIN, goodPlate = "VF1RFB00X51234567", "AB-123-CD"
	proposePath := func(id string) string {
		return "/v1/cessions" + query("cessionId", id, "proposeDate.year", "2026", "proposeDate.month", "1", "proposeDate.day", "12")
	}
	const cession = "/v1/cessions/clio-2015-garage"
	handover := func(km, etag string) string {
		return `{"handover":{"handoverDate":{"year":2026,"month":1,"day":20},"place":"Caf de Saône-et-Loire, Mâcon",` +
			`"officials":[{"displayName":"Cécile Aladame","title":"directrice de la Caf de Saône-et-Loire"}],` +
			`"odometerKm":"` + km + `","certificateReference":"CERFA-15776-2026-0003"},"etag":` + jsonString(etag) + `}`
	}

	refusals := []struct {
		method, path, token, body string
		status                    int
		reason, field             string
	}{
		{"POST", registerPath, "", vehicle(goodVIN, goodPlate), 401, "UNAUTHENTICATED", ""},
		{"POST", registerPath, reader, vehicle(goodVIN, goodPlate), 403, "ROLE_NOT_ALLOWED", ""},
		{"POST", registerPath, garage, vehicle(goodVIN, goodPlate), 403, "ROLE_NOT_ALLOWED", ""},
		{"POST", registerPath, fleet, vehicle("VF1RFB00X5123456O", goodPlate), 400, "INVALID_ARGUMENT", "vehicle.vin"},
		{"POST", registerPath, fleet, vehicle(goodVIN, "AB-123-C"), 400, "INVALID_ARGUMENT", "vehicle.plate"},
		{"POST", registerPath, fleet, `{"vin":"` + goodVIN + `","colour":"red"}`, 400, "", ""},
		{"GET", "/v1/vehicles/clio-2015", reader, "", 404, "NOT_FOUND", ""},
	}
	for _, s := range refusals {
		r := call(t, s.method, base+s.path, s.token, s.body)
		reason, fields := errorDetails(r)
		if r.status != s.status || (s.reason != "" && reason != s.reason) || (s.field != "" && !slices.Contains(fields, s.field)) {
			t.Errorf("%s %s %s = %d %v; want %d, reason %q, field %q", s.method, s.path, s.body, r.status, r.body, s.status, s.reason, s.field)
		}
	}

	steps := []struct {
		method, path, token, body string
		status                    int
		reason, field             string
	}{
		{"POST", registerPath, fleet, vehicle(goodVIN, goodPlate), 200, "", ""},
		{"POST", "/v1/vehicles/clio-2015:retire", reader, `{"retireDate":{"year":2026,"month":1,"day":5}}`, 403, "ROLE_NOT_ALLOWED", ""},
		{"POST", "/v1/vehicles/clio-2015:retire", fleet, `{"retireDate":{"year":2026,"month":1,"day":5}}`, 200, "", ""},
		{"POST", "/v1/vehicles/clio-2015:retire", fleet, `{"retireDate":{"year":2026,"month":1,"day":5}}`, 409, "WRONG_STATE", ""},
		{"POST", proposePath("clio-2015-caf"), fleet, `{"vehicle":"vehicles/clio-2015","beneficiary":"organisations/caf-71"}`, 400, "INVALID_ARGUMENT", "cession.beneficiary"},
		{"POST", proposePath("clio-2015-nowhere"), fleet, `{"vehicle":"vehicles/clio-2015","beneficiary":"organisations/nowhere"}`, 400, "INVALID_ARGUMENT", "cession.beneficiary"},
		{"POST", proposePath("clio-2015-garage"), fleet, `{"vehicle":"vehicles/clio-2015","beneficiary":"organisations/garage-solidaire-bourgogne"}`, 200, "", ""},
		{"POST", proposePath("clio-2015-again"), fleet, `{"vehicle":"vehicles/clio-2015","beneficiary":"organisations/iscg-louhannais"}`, 409, "VEHICLE_HAS_OPEN_CESSION", ""},
	}
	for _, s := range steps {
		r := call(t, s.method, base+s.path, s.token, s.body)
		reason, fields := errorDetails(r)
		if r.status != s.status || (s.reason != "" && reason != s.reason) || (s.field != "" && !slices.Contains(fields, s.field)) {
			t.Fatalf("%s %s %s = %d %v; want %d, reason %q, field %q", s.method, s.path, s.body, r.status, r.body, s.status, s.reason, s.field)
		}
	}

	proposed := call(t, "GET", base+cession, fleet, "")
	if proposed.body["state"] != "CESSION_STATE_PROPOSED" || proposed.body["beneficiaryKind"] != "GARAGE_SOLIDAIRE" {
		t.Fatalf("GET %s = %d %v; want a PROPOSED cession to a GARAGE_SOLIDAIRE", cession, proposed.status, proposed.body)
	}
	staleEtag := proposed.body["etag"].(string)
	approved := call(t, "POST", base+cession+":approve", fleet, `{"approveDate":{"year":2026,"month":1,"day":14},"etag":`+jsonString(staleEtag)+`}`)
	if approved.status != 200 || approved.body["state"] != "CESSION_STATE_APPROVED" {
		t.Fatalf("POST %s:approve = %d %v; want 200 APPROVED", cession, approved.status, approved.body)
	}
	etag := approved.body["etag"].(string)
	for _, s := range []struct {
		path, token, body string
		status            int
		reason, field     string
	}{
		{":cancel", fleet, `{"reason":"doublon","cancelDate":{"year":2026,"month":1,"day":15},"etag":` + jsonString(staleEtag) + `}`, 409, "ETAG_MISMATCH", ""},
		{":declare", fleet, `{"declareDate":{"year":2026,"month":1,"day":15}}`, 409, "WRONG_STATE", ""},
		{":handOver", fleet, handover("11000", etag), 400, "INVALID_ARGUMENT", "handover.odometer_km"},
		{":handOver", garage, handover("98250", etag), 403, "ROLE_NOT_ALLOWED", ""},
		{":handOver", fleet, handover("98250", staleEtag), 409, "ETAG_MISMATCH", ""},
	} {
		r := call(t, "POST", base+cession+s.path, s.token, s.body)
		reason, fields := errorDetails(r)
		if r.status != s.status || reason != s.reason || (s.field != "" && !slices.Contains(fields, s.field)) {
			t.Errorf("POST %s%s %s = %d %v; want %d, reason %q, field %q", cession, s.path, s.body, r.status, r.body, s.status, s.reason, s.field)
		}
	}
	handed := call(t, "POST", base+cession+":handOver", fleet, handover("98250", etag))
	deadlineDay, _ := handed.body["declarationDeadline"].(map[string]any)
	if handed.status != 200 || handed.body["state"] != "CESSION_STATE_HANDED_OVER" ||
		deadlineDay["year"] != float64(2026) || deadlineDay["month"] != float64(2) || deadlineDay["day"] != float64(4) {
		t.Fatalf("POST %s:handOver = %d %v; want 200 HANDED_OVER, to declare by 2026-02-04", cession, handed.status, handed.body)
	}
	if v := call(t, "GET", base+"/v1/vehicles/clio-2015", reader, ""); v.body["state"] != "VEHICLE_STATE_CEDED" || v.body["odometerKm"] != "98250" {
		t.Errorf("GET /v1/vehicles/clio-2015 after the handover = %v; want CEDED at 98250 km", v.body)
	}
	declared := call(t, "POST", base+cession+":declare", fleet, `{"declareDate":{"year":2026,"month":1,"day":25},"etag":`+jsonString(handed.body["etag"].(string))+`}`)
	if declared.status != 200 || declared.body["state"] != "CESSION_STATE_DECLARED" {
		t.Fatalf("POST %s:declare = %d %v; want 200 DECLARED", cession, declared.status, declared.body)
	}

	// The garage solidaire's staff see its three cessions (two seeded, this one) and no other.
	own := call(t, "GET", base+"/v1/cessions", garage, "")
	list, _ := own.body["cessions"].([]any)
	var names []string
	for _, c := range list {
		c := c.(map[string]any)
		names = append(names, c["name"].(string))
		if c["beneficiary"] != "organisations/garage-solidaire-bourgogne" {
			t.Errorf("the garage solidaire's staff see %s of %s; want their own only", c["name"], c["beneficiary"])
		}
	}
	if own.status != 200 || own.body["totalSize"] != float64(3) || !slices.Contains(names, "cessions/clio-2015-garage") {
		t.Errorf("GET /v1/cessions as the garage solidaire = %d %v; want its 3 cessions, clio-2015-garage among them", own.status, own.body)
	}
	for _, path := range []string{
		"/v1/cessions/caf71-2024-iscg-louhannais",
		"/v1/cessions" + query("filter", `beneficiary = "organisations/iscg-louhannais"`),
	} {
		if r := call(t, "GET", base+path, garage, ""); r.status != 403 {
			t.Errorf("GET %s as the garage solidaire = %d %v; want 403", path, r.status, r.body)
		}
	}
	// A reader sees the officials by name and title, and nothing else of them.
	seen := call(t, "GET", base+cession, reader, "")
	h, _ := seen.body["handover"].(map[string]any)
	officials, _ := h["officials"].([]any)
	if seen.status != 200 || len(officials) != 1 {
		t.Fatalf("GET %s as a reader = %d %v; want the handover with its official", cession, seen.status, seen.body)
	}
	var keys []string
	for k := range officials[0].(map[string]any) {
		keys = append(keys, k)
	}
	if slices.Sort(keys); !slices.Equal(keys, []string{"displayName", "title"}) || officials[0].(map[string]any)["displayName"] != "Cécile Aladame" {
		t.Errorf("official as a reader sees it = %v; want only displayName and title", officials[0])
	}

	// The article: 14 vehicles in seven years, then 3 to the ISCG.
	count := call(t, "GET", base+"/v1/cessions:count"+query(window([3]string{"2017", "1", "1"}, [3]string{"2023", "12", "31"})...), reader, "")
	kinds, _ := count.body["byBeneficiaryKind"].([]any)
	var got []string
	for _, k := range kinds {
		k := k.(map[string]any)
		got = append(got, fmt.Sprintf("%v=%v", k["beneficiaryKind"], k["count"]))
	}
	want := []string{"MISSION_LOCALE=4", "REGIE=4", "GARAGE_SOLIDAIRE=2", "ASSOCIATION=1", "CENTRE_SOCIAL=1", "FOYER_RURAL=1", "PLIE=1"}
	if count.status != 200 || count.body["total"] != float64(14) || !slices.Equal(got, want) {
		t.Errorf("GET /v1/cessions:count 2017..2023 = %d %v; want 14 %q", count.status, count.body, want)
	}
	for _, tc := range []struct {
		from, to [3]string
		total    float64
	}{
		{[3]string{"2024", "1", "1"}, [3]string{"2024", "12", "31"}, 3},
		{[3]string{"2026", "1", "1"}, [3]string{"2026", "12", "31"}, 1},
	} {
		if r := call(t, "GET", base+"/v1/cessions:count"+query(window(tc.from, tc.to)...), garage, ""); r.status != 200 || r.body["total"] != tc.total {
			t.Errorf("GET /v1/cessions:count %s..%s = %d %v; want %v", tc.from, tc.to, r.status, r.body, tc.total)
		}
	}
	r := call(t, "GET", base+"/v1/cessions:count"+query("startDate.year", "2024", "startDate.month", "1", "startDate.day", "1"), reader, "")
	if _, fields := errorDetails(r); r.status != 400 || !slices.Contains(fields, "end_date") {
		t.Errorf("GET /v1/cessions:count without an end = %d %v; want 400 naming end_date", r.status, r.body)
	}
	if r := call(t, "GET", base+"/v1/cessions:count", "", ""); r.status != 401 {
		t.Errorf("GET /v1/cessions:count without a token = %d; want 401", r.status)
	}
}
