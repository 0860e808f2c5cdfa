package domain

import "time"

// EventType names a change the statistics service publishes; the NATS subject is
// "vif.statistics.v1." + the type.
type EventType string

// The statistics service's events.
const (
	ReportSubmitted       EventType = "report.submitted" // revision 1
	ReportRevised         EventType = "report.revised"   // revision 2 and later
	NationalFigureCreated EventType = "national_figure.created"
	ReleasePublished      EventType = "release.published"
)

// Event is one change, recorded in the same transaction as the change. A report's event names
// the report and its revision, never its counts.
type Event struct {
	ID             string
	Type           EventType
	Time           time.Time
	Report         *Report
	NationalFigure *NationalFigure
	Release        *Release // its year, number and publish time only: never its figures
}
