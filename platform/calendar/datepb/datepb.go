// Package datepb converts a calendar day (platform/calendar) to and from the google.type.Date of
// the APIs. It stands apart from calendar so that the domains, which use calendar.Date, import no
// protobuf.
package datepb

import (
	"fmt"

	"google.golang.org/genproto/googleapis/type/date"

	"github.com/vif71/vif/platform/calendar"
)

// Incomplete is what FromProto gives for a date without a year, a month or a day, which
// google.type.Date allows (a birthday, a credit card's expiry) and no date of vif's APIs is: it is
// not a calendar day, so the domain refuses it as it refuses any malformed day. A year of 0 must
// not become "0000-MM-DD", which would pass for a real day.
const Incomplete calendar.Date = "incomplete-date"

// ToProto turns "YYYY-MM-DD" into a google.type.Date; nil when d is empty or not in that form.
func ToProto(d calendar.Date) *date.Date {
	var y, m, day int32
	if _, err := fmt.Sscanf(string(d), "%04d-%02d-%02d", &y, &m, &day); err != nil {
		return nil
	}
	return &date.Date{Year: y, Month: m, Day: day}
}

// FromProto turns a google.type.Date into "YYYY-MM-DD": "" when d is nil, Incomplete when it lacks
// a part. Whether it is a real day (2024-02-30 is not) is the domain's to check (calendar.Date.Valid).
func FromProto(d *date.Date) calendar.Date {
	if d == nil {
		return ""
	}
	if d.GetYear() == 0 || d.GetMonth() == 0 || d.GetDay() == 0 {
		return Incomplete
	}
	return calendar.Date(fmt.Sprintf("%04d-%02d-%02d", d.GetYear(), d.GetMonth(), d.GetDay()))
}
