package refdata

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// Counts given by @etalab/decoupage-administratif 6.0.0 for département 71.
const (
	wantCommunes = 563
	wantEPCIs    = 20
)

func mustLoad(t *testing.T) *Referential {
	t.Helper()
	r, err := Load()
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	return r
}

func TestLoad(t *testing.T) {
	r := mustLoad(t)
	if r.Source.Package != "@etalab/decoupage-administratif" || r.Source.Version == "" {
		t.Errorf("Source = %+v; want @etalab/decoupage-administratif with a version", r.Source)
	}
	if r.Note == "" {
		t.Error("Note is empty; want the editorial note of networks.json")
	}
	tests := []struct {
		name      string
		got, want int
	}{
		{"networks", len(r.Networks), NetworkCount},
		{"communes", len(r.Communes), wantCommunes},
		{"EPCIs", len(r.EPCIs), wantEPCIs},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("len(%s) = %d; want %d", tt.name, tt.got, tt.want)
		}
	}
	if r2, _ := Load(); r2 != r {
		t.Error("Load() returned a different *Referential on the second call")
	}
}

func TestSorted(t *testing.T) {
	r := mustLoad(t)
	if !slices.IsSortedFunc(r.Communes, func(a, b Commune) int { return strings.Compare(a.Code, b.Code) }) {
		t.Error("Communes are not sorted by code")
	}
	if !slices.IsSortedFunc(r.EPCIs, func(a, b EPCI) int { return strings.Compare(a.SIREN, b.SIREN) }) {
		t.Error("EPCIs are not sorted by SIREN")
	}
	if !slices.IsSortedFunc(r.Networks, func(a, b Network) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("Networks are not sorted by id")
	}
	for _, n := range r.Networks {
		if !slices.IsSorted(n.Communes) || !slices.IsSorted(n.EPCIs) {
			t.Errorf("network %q: Communes or EPCIs not sorted", n.ID)
		}
	}
}

func TestEveryCommuneInExactlyOneNetwork(t *testing.T) {
	r := mustLoad(t)
	seen := map[string]string{}
	var pop int64
	for _, n := range r.Networks {
		if !n.Illustrative {
			t.Errorf("network %q: Illustrative = false; want true (the article names no network)", n.ID)
		}
		if len(n.Communes) == 0 {
			t.Errorf("network %q covers no commune", n.ID)
		}
		var npop int64
		for _, code := range n.Communes {
			if prev, dup := seen[code]; dup {
				t.Errorf("commune %s is in networks %q and %q", code, prev, n.ID)
			}
			seen[code] = n.ID
			c, ok := r.Commune(code)
			if !ok {
				t.Errorf("network %q lists unknown commune %s", n.ID, code)
				continue
			}
			npop += c.Population
		}
		if npop != n.Population {
			t.Errorf("network %q: Population = %d; want %d (sum of its communes)", n.ID, n.Population, npop)
		}
		pop += n.Population
	}
	var total int64
	for _, c := range r.Communes {
		total += c.Population
		if seen[c.Code] != c.Network || c.Network == "" {
			t.Errorf("commune %s: Network = %q; but it is listed by network %q", c.Code, c.Network, seen[c.Code])
		}
		e, ok := r.EPCI(c.EPCI)
		if !ok {
			t.Errorf("commune %s: EPCI(%q) not found", c.Code, c.EPCI)
		} else if e.Network != c.Network {
			t.Errorf("commune %s: Network = %q; its EPCI %s is in %q", c.Code, c.Network, e.SIREN, e.Network)
		}
	}
	if len(seen) != len(r.Communes) {
		t.Errorf("networks cover %d communes; want %d", len(seen), len(r.Communes))
	}
	if pop != total {
		t.Errorf("sum of network populations = %d; want %d", pop, total)
	}
}

func TestCommune(t *testing.T) {
	r := mustLoad(t)
	tests := []struct {
		code        string
		wantOK      bool
		wantName    string
		wantNetwork string
		wantEPCI    string
	}{
		{"71076", true, "Chalon-sur-Saône", "chalonnais", "247100589"},
		{"71270", true, "Mâcon", "maconnais", "200070308"},
		{"71106", true, "Charolles", "charolais-brionnais", "200071884"},
		{"71014", true, "Autun", "autunois-morvan", "200070530"},
		{"71263", true, "Louhans", "louhannais", "200071579"},
		{"71073", true, "Chagny", "chalonnais", "200006682"},
		{"71000", false, "", "", ""},
		{"21054", false, "", "", ""}, // Beaune: Côte-d'Or
		{"", false, "", "", ""},
	}
	for _, tt := range tests {
		got, ok := r.Commune(tt.code)
		if ok != tt.wantOK {
			t.Errorf("Commune(%q) found = %v; want %v", tt.code, ok, tt.wantOK)
			continue
		}
		if !ok {
			continue
		}
		if !strings.HasPrefix(got.Name, tt.wantName) || got.Network != tt.wantNetwork || got.EPCI != tt.wantEPCI {
			t.Errorf("Commune(%q) = %v; want name %q, network %q, EPCI %s", tt.code, got, tt.wantName, tt.wantNetwork, tt.wantEPCI)
		}
		if len(got.PostalCodes) == 0 || got.Population <= 0 {
			t.Errorf("Commune(%q) = %v; want postal codes and a population", tt.code, got)
		}
	}
}

func TestEPCIAndNetwork(t *testing.T) {
	r := mustLoad(t)
	e, ok := r.EPCI("247100589")
	if !ok || e.Name != "CA Le Grand Chalon" || e.Type != "CA" || e.Network != "chalonnais" {
		t.Errorf("EPCI(%q) = %v, %v; want CA Le Grand Chalon in chalonnais", "247100589", e, ok)
	}
	if e, ok := r.EPCI("123456789"); ok {
		t.Errorf("EPCI(%q) = %v, true; want not found", "123456789", e)
	}
	n, ok := r.Network("charolais-brionnais")
	if !ok || n.DisplayName != "Réseau VIF du Charolais-Brionnais" {
		t.Errorf("Network(%q) = %v, %v; want Réseau VIF du Charolais-Brionnais", "charolais-brionnais", n, ok)
	}
	if n, ok := r.Network("nowhere"); ok {
		t.Errorf("Network(%q) = %v, true; want not found", "nowhere", n)
	}
	if !r.HasNetwork("charolais-brionnais") || r.HasNetwork("nowhere") || r.HasNetwork("") {
		t.Error("HasNetwork disagrees with Network")
	}
	if !r.HasCommune("71076") || r.HasCommune("71999") || r.HasCommune("") {
		t.Error("HasCommune(71076, 71999, \"\") is not true, false, false")
	}
	// Lookups return copies: modifying them does not change the referential.
	n.Communes[0] = "XXXXX"
	if again, _ := r.Network("charolais-brionnais"); again.Communes[0] == "XXXXX" {
		t.Error("Network() returned a slice aliasing the referential")
	}
}

// networksDoc is a mutable copy of the embedded networks.json.
type networksDoc struct {
	Note     string       `json:"note"`
	Networks []networkDoc `json:"networks"`
}

type networkDoc struct {
	ID           string   `json:"id"`
	DisplayName  string   `json:"displayName"`
	Territory    string   `json:"territory"`
	Illustrative bool     `json:"illustrative"`
	EPCIs        []string `json:"epcis"`
}

func TestParseRejectsBadNetworks(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(d *networksDoc)
		wantErr string
	}{
		{
			name: "EPCI assigned twice",
			mutate: func(d *networksDoc) {
				d.Networks[1].EPCIs = append(d.Networks[1].EPCIs, d.Networks[0].EPCIs[0])
			},
			wantErr: "assigned to both",
		},
		{
			name:    "EPCI missing",
			mutate:  func(d *networksDoc) { d.Networks[0].EPCIs = d.Networks[0].EPCIs[:0] },
			wantErr: "is in no network",
		},
		{
			name: "12 networks",
			mutate: func(d *networksDoc) {
				d.Networks[1].EPCIs = append(d.Networks[1].EPCIs, d.Networks[0].EPCIs...)
				d.Networks = d.Networks[1:]
			},
			wantErr: "12 networks, want 13",
		},
		{
			name:    "duplicate id",
			mutate:  func(d *networksDoc) { d.Networks[1].ID = d.Networks[0].ID },
			wantErr: "used twice",
		},
		{
			name:    "bad id",
			mutate:  func(d *networksDoc) { d.Networks[0].ID = "Bad Id" },
			wantErr: "does not match",
		},
		{
			name:    "unknown EPCI",
			mutate:  func(d *networksDoc) { d.Networks[0].EPCIs = append(d.Networks[0].EPCIs, "999999999") },
			wantErr: `unknown EPCI "999999999"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d networksDoc
			if err := json.Unmarshal(networksJSON, &d); err != nil {
				t.Fatal(err)
			}
			tt.mutate(&d)
			data, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			_, err = parse(deptJSON, data)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parse() error = %v; want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestParseRejectsCommuneWithUnknownEPCI(t *testing.T) {
	dept := strings.Replace(string(deptJSON), `"epci":"247100589"`, `"epci":"999999999"`, 1)
	if dept == string(deptJSON) {
		t.Fatal("test setup: no commune of EPCI 247100589 found")
	}
	_, err := parse([]byte(dept), networksJSON)
	if err == nil || !strings.Contains(err.Error(), `unknown EPCI "999999999"`) {
		t.Errorf("parse() error = %v; want an unknown EPCI error", err)
	}
}

func TestParseAcceptsRoundTrip(t *testing.T) {
	// The mutation helper itself must not break a valid file.
	var d networksDoc
	if err := json.Unmarshal(networksJSON, &d); err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(d)
	if _, err := parse(deptJSON, data); err != nil {
		t.Errorf("parse() of the re-encoded networks.json error = %v; want nil", err)
	}
}
