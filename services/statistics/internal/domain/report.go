package domain

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Report is one revision of what a network reported for a period. Revision 1 is the first
// submission; each correction is the next revision, and the latest one counts.
type Report struct {
	Network      string // the network's id, e.g. "chalonnais"
	Period       Period
	Revision     int64
	Counts       Counts
	Illustrative bool // the default data set's counts, not a real report
	SubmitTime   time.Time
	SubmittedBy  string // the subject of the token that submitted it, for audit
}

// Name is the report's resource name, e.g. "networks/chalonnais/reports/2022-Q1".
func (r *Report) Name() string { return ReportName(r.Network, r.Period) }

// ReportName is the resource name of a network's report for a period.
func ReportName(network string, p Period) string {
	return fmt.Sprintf("networks/%s/reports/%s", network, p)
}

// NationalFigure is one year of the national reference series, with its source.
type NationalFigure struct {
	Year         int
	Value        int64
	Source       string
	SourceURL    string
	Illustrative bool
	CreateTime   time.Time
}

// ValidSourceURL reports whether u may be shown to readers as a link: an absolute http or https
// URL with a host. Other schemes (javascript:, data:, file:) would run or read something in the
// reader's browser.
func ValidSourceURL(u string) bool {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return false
	}
	s := strings.ToLower(p.Scheme)
	return s == "http" || s == "https"
}

// Name is the figure's resource name, e.g. "nationalFigures/2022".
func (f *NationalFigure) Name() string { return fmt.Sprintf("nationalFigures/%d", f.Year) }

// Network is what the statistics service needs to know of a network: that it exists, and the
// population of its communes, for rates.
type Network struct {
	ID         string
	Population int64
}
