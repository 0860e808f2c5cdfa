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

	// Current communes of the département, by INSEE code.
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
			EPCI:        c.EPCI, // cross-checked below when present
		}
		codes = append(codes, c.Code)
	}
	if len(byCode) == 0 {
		fail("no current commune (type %q) of département %q in the input", currentCommune, dept)
		return nil, errors.Join(errs...)
	}

	// EPCI membership of those communes.
	knownEPCI := map[string]bool{}
	memberOf := map[string][]string{} // commune code -> SIRENs
	bySIREN := map[string]*EPCI{}
	var sirens []string
	for _, e := range epcis {
		if !sirenRe.MatchString(e.Code) {
			fail("EPCI %q (%s): malformed SIREN", e.Code, e.Name)
			continue
		}
		if knownEPCI[e.Code] {
			fail("EPCI %s (%s): listed twice", e.Code, e.Name)
			continue
		}
		knownEPCI[e.Code] = true
		var in71 *EPCI
		for _, m := range e.Members {
			if _, ok := byCode[m.Code]; !ok {
				if strings.HasPrefix(m.Code, dept) && len(m.Code) == 5 {
					fail("EPCI %s (%s): member %s is not a current commune of département %s", e.Code, e.Name, m.Code, dept)
				}
				continue
			}
			if in71 == nil {
				in71 = &EPCI{SIREN: e.Code, Name: e.Name, Type: e.Type}
				bySIREN[e.Code] = in71
				sirens = append(sirens, e.Code)
				if strings.TrimSpace(e.Name) == "" || strings.TrimSpace(e.Type) == "" {
					fail("EPCI %s: empty name or type", e.Code)
				}
			}
			memberOf[m.Code] = append(memberOf[m.Code], e.Code)
		}
	}

	sort.Strings(codes)
	for _, code := range codes {
		c := byCode[code]
		ms := uniqueSorted(memberOf[code])
		switch {
		case c.EPCI != "" && !knownEPCI[c.EPCI]:
			fail("commune %s (%s): unknown EPCI %s", code, c.Name, c.EPCI)
			continue
		case len(ms) == 0 && c.EPCI != "":
			fail("commune %s (%s): EPCI %s does not list it as a member", code, c.Name, c.EPCI)
			continue
		case len(ms) == 0:
			fail("commune %s (%s): belongs to no EPCI", code, c.Name)
			continue
		case len(ms) > 1 || len(memberOf[code]) > 1:
			fail("commune %s (%s): member of several EPCIs %v", code, c.Name, memberOf[code])
			continue
		case c.EPCI != "" && c.EPCI != ms[0]:
			fail("commune %s (%s): says EPCI %s but is a member of %s", code, c.Name, c.EPCI, ms[0])
			continue
		}
		c.EPCI = ms[0]
		e := bySIREN[c.EPCI]
		e.Communes71++
		e.Population71 += c.Population
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	sort.Strings(sirens)
	out := &Output{Source: src}
	for _, code := range codes {
		out.Communes = append(out.Communes, *byCode[code])
	}
	for _, s := range sirens {
		out.EPCIs = append(out.EPCIs, *bySIREN[s])
	}
	return out, nil
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
