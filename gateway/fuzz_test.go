package gateway

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
)

// FuzzCreateOrganisationBody posts arbitrary bodies to POST /v1/organisations. The fake backend
// answers 200 or InvalidArgument, never a 5xx, so any 5xx is the gateway's; and every answer must
// be JSON.
func FuzzCreateOrganisationBody(f *testing.F) {
	for _, seed := range []string{
		``,
		` `,
		`{}`,
		`null`,
		`[]`,
		`"text"`,
		`{"displayName":"CAF de Saône-et-Loire","kind":"ORGANISATION_KIND_CAF"}`,
		`{"displayName":"a","kind":3,"createTime":"2026-01-01T00:00:00Z"}`,
		`{"displayName":"a"} trailing`,
		`{"display_name":"snake case is accepted too"}`,
		`{"displayName":"\ud800"}`,
		`{"colour":"red"}`,
		`{"displayName":` + "\"\xff\"}",
		`{"createTime":"not a time"}`,
		`{"kind":"NOT_A_KIND"}`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
	} {
		f.Add([]byte(seed))
	}
	env := newGateway(f, func(o *Options) {
		o.Logger = discardLogger()
		// Oversize bodies are TestOversizeBodyIs413's; here they would only close connections.
		o.MaxBodyBytes = 0
	})
	client := &http.Client{}

	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := http.NewRequest(http.MethodPost, env.url+"/v1/organisations", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("POST %q: %v", body, err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode >= 500 {
			t.Errorf("POST %q = %d %s; want no 5xx from the gateway", body, resp.StatusCode, got)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" || !json.Valid(got) {
			t.Errorf("POST %q = %d, Content-Type %q, body %q; want JSON", body, resp.StatusCode, ct, got)
		}
	})
}

// FuzzCheckBodyRefusesOnlyWhatProtojsonRefuses: the edge's body check must never refuse a body
// that grpc-gateway's decoder (protojson) takes, on a flat body (an organisation) and a nested
// one (a handover, with dates and a list of officials).
func FuzzCheckBodyRefusesOnlyWhatProtojsonRefuses(f *testing.F) {
	for _, seed := range []string{
		`{"displayName":"a","kind":"ORGANISATION_KIND_CAF","createTime":"2026-01-01T00:00:00Z"}`,
		`{"handover":{"handoverDate":{"year":2026,"month":1,"day":20},"officials":[{"displayName":"C","title":"t"}],"odometerKm":"12000"},"etag":"x"}`,
		`{"handover":{"officials":[null]}}`,
		`{"kind":2,"display_name":"b"}`,
		`{"handover":null}`,
		`{"retireDate":{"year":1e3}}`,
	} {
		f.Add([]byte(seed))
	}
	var names []string
	for _, s := range Services {
		names = append(names, s.FullName)
	}
	routes, err := newRouteTable(names)
	if err != nil {
		f.Fatal(err)
	}
	targets := []*route{
		routes.lookup("POST", "/v1/organisations"),
		routes.lookup("POST", "/v1/{name=cessions/*}:handOver"),
		routes.lookup("POST", "/v1/{name=vehicles/*}:retire"),
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, rt := range targets {
			in := dynamicpb.NewMessage(rt.method.Input())
			var target proto.Message = in
			if rt.body != "*" {
				fd := in.Descriptor().Fields().ByName(protoreflect.Name(rt.body))
				target = in.Mutable(fd).Message().Interface()
			}
			decodes := protojson.Unmarshal(body, target) == nil
			if v := checkRouteBody(rt, body); v != nil && decodes {
				t.Errorf("%s: checkRouteBody(%q) = %+v; protojson takes it", rt.fullMethod(), body, v)
			}
		}
	})
}
