package refdata

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// NetworkCount is the number of local VIF networks in Saône-et-Loire.
const NetworkCount = 13

//go:embed dept71.json
var deptJSON []byte

//go:embed networks.json
var networksJSON []byte

// Source names the package the commune and EPCI data was generated from.
type Source struct {
	Package string
	Version string
}

// Commune is a current commune of the département.
type Commune struct {
	Code        string   // INSEE code, e.g. "71076"
	Name        string   // official name, e.g. "Chalon-sur-Saône"
	PostalCodes []string // sorted
	Population  int64
	EPCI        string // SIREN of its EPCI
	Network     string // id of the VIF network covering it
}

// EPCI is an intercommunal body with at least one commune in the département.
type EPCI struct {
	SIREN        string
	Name         string
	Type         string // CC, CA, CU, …
	Communes71   int    // number of its communes in the département
	Population71 int64  // population of its communes in the département
	Network      string // id of the VIF network it belongs to
}

// Network is a local VIF network, covering whole EPCIs.
type Network struct {
	ID           string
	DisplayName  string
	Territory    string
	Illustrative bool     // the name and grouping are not given by the sources
	EPCIs        []string // SIRENs, sorted
	Communes     []string // INSEE codes, sorted
	Population   int64
}

// Referential is the whole data set. Slices are sorted by their key (INSEE
// code, SIREN, network id) and must not be modified.
type Referential struct {
	Source   Source
	Note     string // editorial note of networks.json
	Communes []Commune
	EPCIs    []EPCI
	Networks []Network

	communeIdx map[string]int
	epciIdx    map[string]int
	networkIdx map[string]int
}

var (
	loadOnce sync.Once
	loaded   *Referential
	loadErr  error
)

// Load returns the embedded referential, parsed and validated. The files are
// parsed once; every call returns the same *Referential.
func Load() (*Referential, error) {
	loadOnce.Do(func() { loaded, loadErr = parse(deptJSON, networksJSON) })
	return loaded, loadErr
}

// Commune returns the commune with INSEE code code.
func (r *Referential) Commune(code string) (Commune, bool) {
	i, ok := r.communeIdx[code]
	if !ok {
		return Commune{}, false
	}
	c := r.Communes[i]
	c.PostalCodes = slices.Clone(c.PostalCodes)
	return c, true
}

// HasCommune reports whether code is the INSEE code of a commune of the département, without
// copying it as Commune does.
func (r *Referential) HasCommune(code string) bool {
	_, ok := r.communeIdx[code]
	return ok
}

// EPCI returns the EPCI with SIREN siren.
func (r *Referential) EPCI(siren string) (EPCI, bool) {
	i, ok := r.epciIdx[siren]
	if !ok {
		return EPCI{}, false
	}
	return r.EPCIs[i], true
}

// Network returns the network with id id.
func (r *Referential) Network(id string) (Network, bool) {
	i, ok := r.networkIdx[id]
	if !ok {
		return Network{}, false
	}
	n := r.Networks[i]
	n.EPCIs = slices.Clone(n.EPCIs)
	n.Communes = slices.Clone(n.Communes)
	return n, true
}

// HasNetwork reports whether id is the id of a network, without copying it as Network does.
func (r *Referential) HasNetwork(id string) bool {
	_, ok := r.networkIdx[id]
	return ok
}

// File formats.

type deptFile struct {
	Source struct {
		Package string `json:"package"`
		Version string `json:"version"`
	} `json:"source"`
	Communes []struct {
		Code        string   `json:"code"`
		Name        string   `json:"name"`
		PostalCodes []string `json:"postalCodes"`
		Population  int64    `json:"population"`
		EPCI        string   `json:"epci"`
	} `json:"communes"`
	EPCIs []struct {
		SIREN        string `json:"siren"`
		Name         string `json:"name"`
		Type         string `json:"type"`
		Communes71   int    `json:"communes71"`
		Population71 int64  `json:"population71"`
	} `json:"epcis"`
}

type networksFile struct {
	Note     string `json:"note"`
	Networks []struct {
		ID           string   `json:"id"`
		DisplayName  string   `json:"displayName"`
		Territory    string   `json:"territory"`
		Illustrative *bool    `json:"illustrative"`
		EPCIs        []string `json:"epcis"`
	} `json:"networks"`
}

var (
	idRe    = regexp.MustCompile(`^[a-z][a-z0-9-]{2,62}$`)
	inseeRe = regexp.MustCompile(`^[0-9][0-9AB][0-9]{3}$`)
	sirenRe = regexp.MustCompile(`^[0-9]{9}$`)
)

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// parse decodes dept71.json (dept) and networks.json (networks), validates
// them and builds the referential. All validation errors are reported.
func parse(dept, networks []byte) (*Referential, error) {
	var df deptFile
	if err := decodeStrict(dept, &df); err != nil {
		return nil, fmt.Errorf("refdata: dept71.json: %w", err)
	}
	var nf networksFile
	if err := decodeStrict(networks, &nf); err != nil {
		return nil, fmt.Errorf("refdata: networks.json: %w", err)
	}

	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("refdata: "+format, args...))
	}

	r := &Referential{
		Source:     Source{Package: df.Source.Package, Version: df.Source.Version},
		Note:       strings.TrimSpace(nf.Note),
		communeIdx: map[string]int{},
		epciIdx:    map[string]int{},
		networkIdx: map[string]int{},
	}
	if r.Source.Package == "" || r.Source.Version == "" {
		fail("dept71.json: source package and version are required")
	}
	if r.Note == "" {
		fail("networks.json: note is required")
	}
	r.addEPCIs(&df, fail)
	r.addCommunes(&df, fail)
	owner := r.addNetworks(&nf, fail)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	r.link(owner)
	return r, nil
}

// failFunc records one validation error of parse.
type failFunc func(format string, args ...any)

// addEPCIs validates the EPCIs of dept71.json and adds them to r, sorted by
// SIREN and indexed.
func (r *Referential) addEPCIs(df *deptFile, fail failFunc) {
	for _, e := range df.EPCIs {
		switch {
		case !sirenRe.MatchString(e.SIREN):
			fail("dept71.json: EPCI %q: malformed SIREN", e.SIREN)
			continue
		case strings.TrimSpace(e.Name) == "" || strings.TrimSpace(e.Type) == "":
			fail("dept71.json: EPCI %s: name and type are required", e.SIREN)
		}
		if slices.ContainsFunc(r.EPCIs, func(x EPCI) bool { return x.SIREN == e.SIREN }) {
			fail("dept71.json: EPCI %s listed twice", e.SIREN)
			continue
		}
		r.EPCIs = append(r.EPCIs, EPCI{SIREN: e.SIREN, Name: e.Name, Type: e.Type,
			Communes71: e.Communes71, Population71: e.Population71})
	}
	slices.SortFunc(r.EPCIs, func(a, b EPCI) int { return strings.Compare(a.SIREN, b.SIREN) })
	for i, e := range r.EPCIs {
		r.epciIdx[e.SIREN] = i
	}
}

// addCommunes validates the communes of dept71.json against the EPCIs already
// added (each names a known one, and each EPCI's count and population agree
// with its communes) and adds them to r, unsorted.
func (r *Referential) addCommunes(df *deptFile, fail failFunc) {
	epciCount := map[string]int{}
	epciPop := map[string]int64{}
	for _, c := range df.Communes {
		switch {
		case !inseeRe.MatchString(c.Code):
			fail("dept71.json: commune %q: malformed INSEE code", c.Code)
			continue
		case strings.TrimSpace(c.Name) == "":
			fail("dept71.json: commune %s: name is required", c.Code)
		case c.Population < 0:
			fail("dept71.json: commune %s: negative population", c.Code)
		}
		if _, dup := r.communeIdx[c.Code]; dup {
			fail("dept71.json: commune %s listed twice", c.Code)
			continue
		}
		if _, ok := r.epciIdx[c.EPCI]; !ok {
			fail("dept71.json: commune %s (%s): unknown EPCI %q", c.Code, c.Name, c.EPCI)
			continue
		}
		r.communeIdx[c.Code] = -1 // placeholder, set after sorting
		epciCount[c.EPCI]++
		epciPop[c.EPCI] += c.Population
		pcs := slices.Clone(c.PostalCodes)
		slices.Sort(pcs)
		r.Communes = append(r.Communes, Commune{Code: c.Code, Name: c.Name,
			PostalCodes: slices.Compact(pcs), Population: c.Population, EPCI: c.EPCI})
	}
	if len(r.Communes) == 0 {
		fail("dept71.json: no commune")
	}
	for _, e := range r.EPCIs {
		if epciCount[e.SIREN] != e.Communes71 || epciPop[e.SIREN] != e.Population71 {
			fail("dept71.json: EPCI %s (%s): says %d communes / population %d, its communes give %d / %d",
				e.SIREN, e.Name, e.Communes71, e.Population71, epciCount[e.SIREN], epciPop[e.SIREN])
		}
	}
}

// addNetworks validates networks.json against the EPCIs already added (every
// EPCI in exactly one network) and adds the networks to r, unsorted. It
// returns each EPCI's network id by SIREN.
func (r *Referential) addNetworks(nf *networksFile, fail failFunc) map[string]string {
	if len(nf.Networks) != NetworkCount {
		fail("networks.json: %d networks, want %d", len(nf.Networks), NetworkCount)
	}
	owner := map[string]string{} // SIREN -> network id
	for _, n := range nf.Networks {
		if !idRe.MatchString(n.ID) {
			fail("networks.json: network id %q does not match %s", n.ID, idRe)
			continue
		}
		if _, dup := r.networkIdx[n.ID]; dup {
			fail("networks.json: network id %q used twice", n.ID)
			continue
		}
		r.networkIdx[n.ID] = -1 // placeholder, set after sorting
		if strings.TrimSpace(n.DisplayName) == "" || strings.TrimSpace(n.Territory) == "" {
			fail("networks.json: network %q: displayName and territory are required", n.ID)
		}
		if n.Illustrative == nil {
			fail("networks.json: network %q: illustrative must be set explicitly", n.ID)
		}
		if len(n.EPCIs) == 0 {
			fail("networks.json: network %q has no EPCI", n.ID)
		}
		net := Network{ID: n.ID, DisplayName: n.DisplayName, Territory: n.Territory,
			Illustrative: n.Illustrative != nil && *n.Illustrative}
		for _, s := range n.EPCIs {
			if _, ok := r.epciIdx[s]; !ok {
				fail("networks.json: network %q: unknown EPCI %q", n.ID, s)
				continue
			}
			if prev, dup := owner[s]; dup {
				fail("networks.json: EPCI %s assigned to both %q and %q", s, prev, n.ID)
				continue
			}
			owner[s] = n.ID
			net.EPCIs = append(net.EPCIs, s)
		}
		slices.Sort(net.EPCIs)
		r.Networks = append(r.Networks, net)
	}
	for _, e := range r.EPCIs {
		if _, ok := owner[e.SIREN]; !ok {
			fail("networks.json: EPCI %s (%s) is in no network", e.SIREN, e.Name)
		}
	}
	return owner
}

// link runs once the files are valid, every EPCI having exactly one network
// (owner) and every commune a known EPCI: it sorts the communes and networks,
// links them, and indexes everything.
func (r *Referential) link(owner map[string]string) {
	slices.SortFunc(r.Communes, func(a, b Commune) int { return strings.Compare(a.Code, b.Code) })
	slices.SortFunc(r.Networks, func(a, b Network) int { return strings.Compare(a.ID, b.ID) })
	for i, n := range r.Networks {
		r.networkIdx[n.ID] = i
	}
	for i := range r.EPCIs {
		r.EPCIs[i].Network = owner[r.EPCIs[i].SIREN]
	}
	for i := range r.Communes {
		c := &r.Communes[i]
		r.communeIdx[c.Code] = i
		c.Network = owner[c.EPCI]
		n := &r.Networks[r.networkIdx[c.Network]]
		n.Communes = append(n.Communes, c.Code) // in code order: sorted
		n.Population += c.Population
	}
}
