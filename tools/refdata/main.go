// Command refdata builds the commune / EPCI referential of one French
// département (Saône-et-Loire, 71, by default) from the JSON files of the npm
// package @etalab/decoupage-administratif.
//
// It is run by scripts/refdata.sh, which downloads the pinned package version
// and writes services/directory/internal/refdata/dept71.json:
//
//	go run ./tools/refdata -communes data/communes.json -epci data/epci.json \
//	    -o services/directory/internal/refdata/dept71.json
//
// The output is deterministic (sorted, one commune or EPCI per line), so that
// rerunning the script on the same package version gives a byte-identical file.
//
// The package's communes carry no EPCI field: membership comes from the
// "membres" list of each EPCI in epci.json. The command fails if a current
// commune of the département belongs to no EPCI, to several, or names an
// EPCI that epci.json does not define.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Package identifies the source npm package. The version must match the one
// pinned in scripts/refdata.sh.
const (
	sourcePackage = "@etalab/decoupage-administratif"
	sourceVersion = "6.0.0"
)

// currentCommune is the "type" of a current (non-merged) commune in communes.json.
const currentCommune = "commune-actuelle"

// rawCommune is one record of data/communes.json (only the fields we use).
type rawCommune struct {
	Code        string   `json:"code"`
	Name        string   `json:"nom"`
	Type        string   `json:"type"`
	Departement string   `json:"departement"`
	PostalCodes []string `json:"codesPostaux"`
	Population  *int64   `json:"population"`
	// EPCI is not present in version 6.0.0; if a later version adds it, it is
	// cross-checked against the EPCI membership lists.
	EPCI string `json:"epci"`
}

// rawEPCI is one record of data/epci.json (only the fields we use).
type rawEPCI struct {
	Code    string `json:"code"` // SIREN
	Name    string `json:"nom"`
	Type    string `json:"type"` // CC, CA, CU, METRO, MET69
	Members []struct {
		Code string `json:"code"` // INSEE code of the member commune
	} `json:"membres"`
}

// Source names the package the data comes from.
type Source struct {
	Package string `json:"package"`
	Version string `json:"version"`
}

// Commune is one output commune.
type Commune struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	PostalCodes []string `json:"postalCodes"`
	Population  int64    `json:"population"`
	EPCI        string   `json:"epci"`
}

// EPCI is one output EPCI, with the figures restricted to the département.
type EPCI struct {
	SIREN        string `json:"siren"`
	Name         string `json:"name"`
	Type         string `json:"type"`
	Communes71   int    `json:"communes71"`
	Population71 int64  `json:"population71"`
}

// Output is the whole generated document.
type Output struct {
	Source   Source    `json:"source"`
	Communes []Commune `json:"communes"`
	EPCIs    []EPCI    `json:"epcis"`
}

var (
	inseeRe  = regexp.MustCompile(`^[0-9][0-9AB][0-9]{3}$`)
	sirenRe  = regexp.MustCompile(`^[0-9]{9}$`)
	postalRe = regexp.MustCompile(`^[0-9]{5}$`)
)

// build keeps the current communes of département dept and the EPCIs that
// contain at least one of them, and links each commune to its EPCI.
func build(communes []rawCommune, epcis []rawEPCI, dept string, src Source) (*Output, error) {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	byCode, codes := currentCommunes(communes, dept, fail)
	if len(byCode) == 0 {
		fail("no current commune (type %q) of département %q in the input", currentCommune, dept)
		return nil, errors.Join(errs...)
	}
	m := membership(epcis, byCode, dept, fail)
	sort.Strings(codes)
	for _, code := range codes {
		m.link(byCode[code], fail)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	sort.Strings(m.sirens)
	out := &Output{Source: src}
	for _, code := range codes {
		out.Communes = append(out.Communes, *byCode[code])
	}
	for _, s := range m.sirens {
		out.EPCIs = append(out.EPCIs, *m.bySIREN[s])
	}
	return out, nil
}

// failFunc records one validation error of build.
type failFunc func(format string, args ...any)

// currentCommunes validates and keeps the current communes of département
// dept, by INSEE code, and returns their codes in input order.
func currentCommunes(communes []rawCommune, dept string, fail failFunc) (map[string]*Commune, []string) {
	byCode := map[string]*Commune{}
	var codes []string
	for _, c := range communes {
		if c.Type != currentCommune || c.Departement != dept {
			continue
		}
		if !inseeRe.MatchString(c.Code) {
			fail("commune %q (%s): malformed INSEE code", c.Code, c.Name)
			continue
		}
		if _, dup := byCode[c.Code]; dup {
			fail("commune %s (%s): listed twice", c.Code, c.Name)
			continue
		}
		if strings.TrimSpace(c.Name) == "" {
			fail("commune %s: empty name", c.Code)
		}
		if c.Population == nil {
			fail("commune %s (%s): no population", c.Code, c.Name)
			continue
		}
		pcs := uniqueSorted(c.PostalCodes)
		if len(pcs) == 0 {
			fail("commune %s (%s): no postal code", c.Code, c.Name)
		}
		for _, pc := range pcs {
			if !postalRe.MatchString(pc) {
				fail("commune %s (%s): malformed postal code %q", c.Code, c.Name, pc)
			}
		}
		byCode[c.Code] = &Commune{
			Code:        c.Code,
			Name:        c.Name,
			PostalCodes: pcs,
			Population:  *c.Population,
			EPCI:        c.EPCI, // cross-checked by link when present
		}
		codes = append(codes, c.Code)
	}
	return byCode, codes
}

// epciMembers is the EPCI membership of the kept communes.
type epciMembers struct {
	known    map[string]bool     // every valid SIREN of the input
	memberOf map[string][]string // commune code -> SIRENs of the EPCIs listing it
	bySIREN  map[string]*EPCI    // the EPCIs with at least one kept commune
	sirens   []string            // bySIREN's keys, in input order
}

// membership validates the EPCIs and reads, from their member lists, which
// EPCIs each kept commune (byCode) belongs to.
func membership(epcis []rawEPCI, byCode map[string]*Commune, dept string, fail failFunc) *epciMembers {
	m := &epciMembers{known: map[string]bool{}, memberOf: map[string][]string{}, bySIREN: map[string]*EPCI{}}
	for _, e := range epcis {
		if !sirenRe.MatchString(e.Code) {
			fail("EPCI %q (%s): malformed SIREN", e.Code, e.Name)
			continue
		}
		if m.known[e.Code] {
			fail("EPCI %s (%s): listed twice", e.Code, e.Name)
			continue
		}
		m.known[e.Code] = true
		var in71 *EPCI
		for _, mb := range e.Members {
			if _, ok := byCode[mb.Code]; !ok {
				if strings.HasPrefix(mb.Code, dept) && len(mb.Code) == 5 {
					fail("EPCI %s (%s): member %s is not a current commune of département %s", e.Code, e.Name, mb.Code, dept)
				}
				continue
			}
			if in71 == nil {
				in71 = &EPCI{SIREN: e.Code, Name: e.Name, Type: e.Type}
				m.bySIREN[e.Code] = in71
				m.sirens = append(m.sirens, e.Code)
				if strings.TrimSpace(e.Name) == "" || strings.TrimSpace(e.Type) == "" {
					fail("EPCI %s: empty name or type", e.Code)
				}
			}
			m.memberOf[mb.Code] = append(m.memberOf[mb.Code], e.Code)
		}
	}
	return m
}

// link sets c's EPCI to the one EPCI whose members list it, checking it
// against the EPCI the commune names, if any, and counts c in that EPCI.
func (m *epciMembers) link(c *Commune, fail failFunc) {
	code := c.Code
	ms := uniqueSorted(m.memberOf[code])
	switch {
	case c.EPCI != "" && !m.known[c.EPCI]:
		fail("commune %s (%s): unknown EPCI %s", code, c.Name, c.EPCI)
		return
	case len(ms) == 0 && c.EPCI != "":
		fail("commune %s (%s): EPCI %s does not list it as a member", code, c.Name, c.EPCI)
		return
	case len(ms) == 0:
		fail("commune %s (%s): belongs to no EPCI", code, c.Name)
		return
	case len(ms) > 1 || len(m.memberOf[code]) > 1:
		fail("commune %s (%s): member of several EPCIs %v", code, c.Name, m.memberOf[code])
		return
	case c.EPCI != "" && c.EPCI != ms[0]:
		fail("commune %s (%s): says EPCI %s but is a member of %s", code, c.Name, c.EPCI, ms[0])
		return
	}
	c.EPCI = ms[0]
	e := m.bySIREN[c.EPCI]
	e.Communes71++
	e.Population71 += c.Population
}

func uniqueSorted(in []string) []string {
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// encode writes the document as stable JSON: two-space indentation at the
// top level, one commune or EPCI per line, no HTML escaping, final newline.
func encode(o *Output) ([]byte, error) {
	line := func(v any) (string, error) {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return "", err
		}
		return strings.TrimSuffix(b.String(), "\n"), nil
	}
	var b bytes.Buffer
	src, err := line(o.Source)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(&b, "{\n  \"source\": %s,\n", src)
	writeList := func(name string, n int, item func(int) any, last bool) error {
		fmt.Fprintf(&b, "  %q: [\n", name)
		for i := 0; i < n; i++ {
			s, err := line(item(i))
			if err != nil {
				return err
			}
			b.WriteString("    " + s)
			if i < n-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString("  ]")
		if !last {
			b.WriteString(",")
		}
		b.WriteString("\n")
		return nil
	}
	if err := writeList("communes", len(o.Communes), func(i int) any { return o.Communes[i] }, false); err != nil {
		return nil, err
	}
	if err := writeList("epcis", len(o.EPCIs), func(i int) any { return o.EPCIs[i] }, true); err != nil {
		return nil, err
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writeFile replaces path atomically, so a failed run never leaves a
// truncated file behind.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".refdata-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func run() error {
	communesPath := flag.String("communes", "", "path to data/communes.json of "+sourcePackage)
	epciPath := flag.String("epci", "", "path to data/epci.json of "+sourcePackage)
	outPath := flag.String("o", "", "output file (default: standard output)")
	dept := flag.String("dept", "71", "code of the département to keep")
	version := flag.String("version", sourceVersion, "version of "+sourcePackage+" the files come from")
	flag.Parse()
	if *communesPath == "" || *epciPath == "" || flag.NArg() != 0 {
		flag.Usage()
		return errors.New("-communes and -epci are required")
	}

	var communes []rawCommune
	if err := readJSON(*communesPath, &communes); err != nil {
		return err
	}
	var epcis []rawEPCI
	if err := readJSON(*epciPath, &epcis); err != nil {
		return err
	}
	out, err := build(communes, epcis, *dept, Source{Package: sourcePackage, Version: *version})
	if err != nil {
		return fmt.Errorf("invalid source data:\n%w", err)
	}
	data, err := encode(out)
	if err != nil {
		return err
	}
	if *outPath == "" {
		_, err = os.Stdout.Write(data)
		return err
	}
	if err := writeFile(*outPath, data); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "refdata: wrote %s: %d communes, %d EPCIs (département %s, %s@%s)\n",
		*outPath, len(out.Communes), len(out.EPCIs), *dept, sourcePackage, *version)
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "refdata:", err)
		os.Exit(1)
	}
}
