package domain

import (
	"fmt"
	"strconv"
	"time"
)

// Granularity is the length of a period. Finer granularities compare greater, so that "at the
// granularity or coarser" reads p.Granularity() <= g.
type Granularity int

// The granularities, coarsest first.
const (
	Year Granularity = iota + 1
	Quarter
	Month
)

// FirstYear is the first year a report or a query may cover, LastYear the last a period may name.
const (
	FirstYear = 2000
	LastYear  = 9999
)

// Period is a calendar year, quarter or month. The zero value is not a period.
type Period struct {
	year  int
	unit  Granularity
	index int // the quarter (1-4) or the month (1-12); 0 for a year
}

// YearPeriod returns the calendar year y.
func YearPeriod(y int) Period { return Period{year: y, unit: Year} }

// QuarterPeriod returns quarter q (1-4) of year y.
func QuarterPeriod(y, q int) Period { return Period{year: y, unit: Quarter, index: q} }

// MonthPeriod returns month m (1-12) of year y.
func MonthPeriod(y, m int) Period { return Period{year: y, unit: Month, index: m} }

// ParsePeriod reads `2022`, `2022-Q1` or `2022-03`, from FirstYear to LastYear.
func ParsePeriod(s string) (Period, error) {
	bad := func() (Period, error) {
		return Period{}, fmt.Errorf("%q is not a period: want a year (2022), a quarter (2022-Q1) or a month (2022-03)", s)
	}
	if len(s) < 4 {
		return bad()
	}
	y, err := strconv.Atoi(s[:4])
	if err != nil || s[0] < '0' || s[0] > '9' {
		return bad()
	}
	var p Period
	switch rest := s[4:]; {
	case rest == "":
		p = YearPeriod(y)
	case len(rest) == 3 && rest[:2] == "-Q" && rest[2] >= '1' && rest[2] <= '4':
		p = QuarterPeriod(y, int(rest[2]-'0'))
	case len(rest) == 3 && rest[0] == '-' && isDigit(rest[1]) && isDigit(rest[2]):
		m, _ := strconv.Atoi(rest[1:])
		if m < 1 || m > 12 {
			return bad()
		}
		p = MonthPeriod(y, m)
	default:
		return bad()
	}
	if y < FirstYear {
		return Period{}, fmt.Errorf("%q is before %d", s, FirstYear)
	}
	return p, nil
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// String writes the period as ParsePeriod reads it.
func (p Period) String() string {
	switch p.unit {
	case Quarter:
		return fmt.Sprintf("%04d-Q%d", p.year, p.index)
	case Month:
		return fmt.Sprintf("%04d-%02d", p.year, p.index)
	case Year:
		return fmt.Sprintf("%04d", p.year)
	}
	return ""
}

// IsZero reports whether p is the zero value (no period).
func (p Period) IsZero() bool { return p.unit == 0 }

// Granularity is the length of p.
func (p Period) Granularity() Granularity { return p.unit }

// Year is the calendar year p falls in.
func (p Period) Year() int { return p.year }

// FirstMonth is the first month of p (1-12).
func (p Period) FirstMonth() int {
	switch p.unit {
	case Quarter:
		return 3*p.index - 2
	case Month:
		return p.index
	}
	return 1
}

// Months is the length of p in months.
func (p Period) Months() int {
	switch p.unit {
	case Quarter:
		return 3
	case Month:
		return 1
	}
	return 12
}

// Start is the first day of p, in UTC.
func (p Period) Start() time.Time {
	return time.Date(p.year, time.Month(p.FirstMonth()), 1, 0, 0, 0, 0, time.UTC)
}

// Ordinal numbers the first month of p from year 0, so that periods sort by start then length
// (a year before its first quarter before its first month).
func (p Period) Ordinal() int { return p.year*12 + p.FirstMonth() - 1 }

// Less orders periods by start, then longest first.
func (p Period) Less(q Period) bool {
	if p.Ordinal() != q.Ordinal() {
		return p.Ordinal() < q.Ordinal()
	}
	return p.unit < q.unit
}

// Children are the periods p divides into: a year's four quarters, a quarter's three months; a
// month has none.
func (p Period) Children() []Period {
	switch p.unit {
	case Year:
		return []Period{QuarterPeriod(p.year, 1), QuarterPeriod(p.year, 2), QuarterPeriod(p.year, 3), QuarterPeriod(p.year, 4)}
	case Quarter:
		m := p.FirstMonth()
		return []Period{MonthPeriod(p.year, m), MonthPeriod(p.year, m+1), MonthPeriod(p.year, m+2)}
	}
	return nil
}

// YearBefore is the same period a year earlier.
func (p Period) YearBefore() Period { return Period{year: p.year - 1, unit: p.unit, index: p.index} }

// Begun reports whether p has started on the day of now: a report covers a period under way or
// past, never one to come.
func (p Period) Begun(now time.Time) bool { return !p.Start().After(now) }

// Expand returns the periods of granularity g that p covers, in order: p itself when it has that
// granularity, its quarters or months otherwise. g must be p's granularity or finer.
func (p Period) Expand(g Granularity) []Period {
	if p.unit >= g {
		return []Period{p}
	}
	var out []Period
	for _, c := range p.Children() {
		out = append(out, c.Expand(g)...)
	}
	return out
}

// PeriodsBetween lists the periods of granularity g from the first one start covers to the last
// one end covers, in order. start and end must be at g or coarser, end at most MaxQueryYears
// years after start.
func PeriodsBetween(start, end Period, g Granularity) ([]Period, error) {
	if start.unit > g || end.unit > g {
		return nil, fmt.Errorf("periods must be at the granularity or coarser")
	}
	first := start.Expand(g)[0]
	lastOfEnd := end.Expand(g)
	last := lastOfEnd[len(lastOfEnd)-1]
	if last.Less(first) {
		return nil, fmt.Errorf("the range ends (%s) before it starts (%s)", end, start)
	}
	if last.year-first.year > MaxQueryYears {
		return nil, fmt.Errorf("the range ends more than %d years after it starts", MaxQueryYears)
	}
	var out []Period
	for y := first.year; y <= last.year; y++ {
		for _, p := range YearPeriod(y).Expand(g) {
			if !p.Less(first) && !last.Less(p) {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// MaxQueryYears bounds how many years after its start a query may end: thirty years of monthly
// figures is plenty, and the bound keeps a query's work bounded.
const MaxQueryYears = 30
