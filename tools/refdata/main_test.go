package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

const communesJSON = `[
  {"code": "71270", "nom": "Mâcon", "type": "commune-actuelle", "departement": "71", "codesPostaux": ["71000"], "population": 35177},
  {"code": "71076", "nom": "Chalon-sur-Saône", "type": "commune-actuelle", "departement": "71", "codesPostaux": ["71100", "71100"], "population": 45102},
  {"code": "71073", "nom": "Chagny", "type": "commune-actuelle", "departement": "71", "codesPostaux": ["71150"], "population": 5350},
  {"code": "71429", "nom": "Saint-Jean-des-Vignes", "type": "commune-associee", "departement": "71", "codesPostaux": ["71100"], "population": 10},
  {"code": "21054", "nom": "Beaune", "type": "commune-actuelle", "departement": "21", "codesPostaux": ["21200"], "population": 20000},
  {"code": "01370", "nom": "Saint-Laurent-sur-Saône", "type": "commune-actuelle", "departement": "01", "codesPostaux": ["01750"], "population": 1600}
]`

const epciJSON = `[
  {"code": "247100589", "nom": "CA Le Grand Chalon", "type": "CA", "membres": [{"code": "71076"}]},
  {"code": "200070308", "nom": "CA Mâconnais Beaujolais Agglomération", "type": "CA", "membres": [{"code": "71270"}, {"code": "01370"}]},
  {"code": "200006682", "nom": "CA Beaune, Côte et Sud", "type": "CA", "membres": [{"code": "21054"}, {"code": "71073"}]},
  {"code": "200000172", "nom": "CC Faucigny - Glières", "type": "CC", "membres": [{"code": "74042"}]}
]`

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

var testSource = Source{Package: sourcePackage, Version: sourceVersion}

func TestBuild(t *testing.T) {
	out, err := build(decode[[]rawCommune](t, communesJSON), decode[[]rawEPCI](t, epciJSON), "71", testSource)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	want := &Output{
		Source: testSource,
		Communes: []Commune{
			{Code: "71073", Name: "Chagny", PostalCodes: []string{"71150"}, Population: 5350, EPCI: "200006682"},
			{Code: "71076", Name: "Chalon-sur-Saône", PostalCodes: []string{"71100"}, Population: 45102, EPCI: "247100589"},
			{Code: "71270", Name: "Mâcon", PostalCodes: []string{"71000"}, Population: 35177, EPCI: "200070308"},
		},
		EPCIs: []EPCI{
			{SIREN: "200006682", Name: "CA Beaune, Côte et Sud", Type: "CA", Communes71: 1, Population71: 5350},
			{SIREN: "200070308", Name: "CA Mâconnais Beaujolais Agglomération", Type: "CA", Communes71: 1, Population71: 35177},
			{SIREN: "247100589", Name: "CA Le Grand Chalon", Type: "CA", Communes71: 1, Population71: 45102},
		},
	}
	if !reflect.DeepEqual(out, want) {
		t.Errorf("build() = %+v; want %+v", out, want)
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name     string
		communes string
		epcis    string
		wantErr  string
	}{
		{
			name:     "commune without EPCI",
			communes: `[{"code": "71076", "nom": "Chalon-sur-Saône", "type": "commune-actuelle", "departement": "71", "codesPostaux": ["71100"], "population": 1}]`,
			epcis:    `[]`,
			wantErr:  "71076 (Chalon-sur-Saône): belongs to no EPCI",
		},
		{
			name:     "commune naming an unknown EPCI",
			communes: `[{"code": "71076", "nom": "Chalon-sur-Saône", "type": "commune-actuelle", "departement": "71", "codesPostaux": ["71100"], "population": 1, "epci": "999999999"}]`,
			epcis:    `[{"code": "247100589", "nom": "CA Le Grand Chalon", "type": "CA", "membres": [{"code": "71076"}]}]`,
			wantErr:  "unknown EPCI 999999999",
		},
		{
			name:     "commune in two EPCIs",
			communes: `[{"code": "71076", "nom": "Chalon-sur-Saône", "type": "commune-actuelle", "departement": "71", "codesPostaux": ["71100"], "population": 1}]`,
			epcis: `[{"code": "247100589", "nom": "A", "type": "CA", "membres": [{"code": "71076"}]},
			         {"code": "247100590", "nom": "B", "type": "CC", "membres": [{"code": "71076"}]}]`,
			wantErr: "member of several EPCIs",
		},
		{
			name:     "EPCI member that is not a current commune",
			communes: `[{"code": "71076", "nom": "Chalon-sur-Saône", "type": "commune-actuelle", "departement": "71", "codesPostaux": ["71100"], "population": 1}]`,
			epcis:    `[{"code": "247100589", "nom": "A", "type": "CA", "membres": [{"code": "71076"}, {"code": "71429"}]}]`,
			wantErr:  "member 71429 is not a current commune",
		},
		{
			name:     "no commune of the département",
			communes: `[{"code": "21054", "nom": "Beaune", "type": "commune-actuelle", "departement": "21", "codesPostaux": ["21200"], "population": 1}]`,
			epcis:    `[]`,
			wantErr:  "no current commune",
		},
		{
			name:     "missing population",
			communes: `[{"code": "71076", "nom": "Chalon-sur-Saône", "type": "commune-actuelle", "departement": "71", "codesPostaux": ["71100"]}]`,
			epcis:    `[{"code": "247100589", "nom": "A", "type": "CA", "membres": [{"code": "71076"}]}]`,
			wantErr:  "no population",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := build(decode[[]rawCommune](t, tt.communes), decode[[]rawEPCI](t, tt.epcis), "71", testSource)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("build() error = %v; want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestEncodeIsStableAndValid(t *testing.T) {
	out, err := build(decode[[]rawCommune](t, communesJSON), decode[[]rawEPCI](t, epciJSON), "71", testSource)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	a, err := encode(out)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	b, _ := encode(out)
	if string(a) != string(b) {
		t.Errorf("encode is not deterministic:\n%s\n---\n%s", a, b)
	}
	var back Output
	if err := json.Unmarshal(a, &back); err != nil {
		t.Fatalf("encode produced invalid JSON: %v\n%s", err, a)
	}
	if !reflect.DeepEqual(&back, out) {
		t.Errorf("round trip = %+v; want %+v", back, out)
	}
	wantLine := `    {"code":"71076","name":"Chalon-sur-Saône","postalCodes":["71100"],"population":45102,"epci":"247100589"},`
	if !strings.Contains(string(a), wantLine+"\n") {
		t.Errorf("encode output lacks the line %q:\n%s", wantLine, a)
	}
}
