// Package calendar holds the calendar day the services' domains share.
package calendar

import "time"

// Date is a calendar day, "YYYY-MM-DD"; the zero value means unknown. ISO order is date order.
type Date string

// Valid reports whether d is a real calendar day.
func (d Date) Valid() bool {
	_, err := time.Parse(time.DateOnly, string(d))
	return err == nil
}

// Year returns the year of d (0 when d is not a date).
func (d Date) Year() int {
	t, err := time.Parse(time.DateOnly, string(d))
	if err != nil {
		return 0
	}
	return t.Year()
}

// AddDays returns the day n days after d ("" when d is not a date).
func (d Date) AddDays(n int) Date {
	t, err := time.Parse(time.DateOnly, string(d))
	if err != nil {
		return ""
	}
	return Date(t.AddDate(0, 0, n).Format(time.DateOnly))
}
