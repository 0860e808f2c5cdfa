package domain

import (
	"slices"

	"github.com/vif71/vif/platform/calendar"
	"github.com/vif71/vif/platform/resource"
)

// Date is a calendar day, "YYYY-MM-DD" (calendar.Date); the zero value means unknown. ISO order
// is date order. The fleet's days are from 1900 on: nothing the Caf records is older.
type Date string

// Valid reports whether d is a real calendar day, from 1900 on.
func (d Date) Valid() bool { return calendar.Date(d).Valid() && calendar.Date(d).Year() >= 1900 }

// AddDays returns the day n days after d.
func (d Date) AddDays(n int) Date { return Date(calendar.Date(d).AddDays(n)) }

// DeclarationDays is how long after the handover the transfer must be declared.
const DeclarationDays = 15

// VehicleState is where a vehicle is in its life: the proto enum's names without their
// VEHICLE_STATE_ prefix.
type VehicleState string

// The states of a vehicle.
const (
	InService VehicleState = "IN_SERVICE"
	Retired   VehicleState = "RETIRED"
	Reserved  VehicleState = "RESERVED"
	Ceded     VehicleState = "CEDED"
	Scrapped  VehicleState = "SCRAPPED"
)

// OdometerReading is one reading of the odometer.
type OdometerReading struct {
	Date Date
	KM   int64
}

// Vehicle is a service vehicle of the Caf.
type Vehicle struct {
	ID                    string
	VIN                   string
	Plate                 string
	Make, Model           string
	FirstRegistrationDate Date
	RetireDate            Date // the day it left service; "" while in service, or when registered retired without it
	State                 VehicleState
	Readings              []OdometerReading // oldest first, never decreasing
	Illustrative          bool
	resource.Meta
}

// Name is the vehicle's resource name.
func (v *Vehicle) Name() string { return "vehicles/" + v.ID }

// Etag is the vehicle's current etag.
func (v *Vehicle) Etag() string { return v.Meta.Etag(v.Name()) }

// OdometerKM is the latest reading (0 when none).
func (v *Vehicle) OdometerKM() int64 {
	if len(v.Readings) == 0 {
		return 0
	}
	return v.Readings[len(v.Readings)-1].KM
}

// VehicleFields are the fields an update may change.
var VehicleFields = []string{"plate", "make", "model"}

// CessionState is where a cession is in its life: the proto enum's names without their
// CESSION_STATE_ prefix.
type CessionState string

// The states of a cession.
const (
	Proposed   CessionState = "PROPOSED"
	Approved   CessionState = "APPROVED"
	HandedOver CessionState = "HANDED_OVER"
	Declared   CessionState = "DECLARED"
	Rejected   CessionState = "REJECTED"
	Cancelled  CessionState = "CANCELLED"
)

// CessionStates lists every state, in the proto enum's order.
var CessionStates = []CessionState{Proposed, Approved, HandedOver, Declared, Rejected, Cancelled}

// Open reports whether a cession in state s still holds its vehicle.
func (s CessionState) Open() bool { return s == Proposed || s == Approved }

// BeneficiaryKinds are the directory organisation kinds that may receive a vehicle: partners
// working on insertion and mobility, and the ISCG.
var BeneficiaryKinds = []string{"ISCG", "PLIE", "REGIE", "MISSION_LOCALE", "GARAGE_SOLIDAIRE", "CENTRE_SOCIAL", "FOYER_RURAL", "ASSOCIATION"}

// MayReceive reports whether an organisation of kind may receive a vehicle.
func MayReceive(kind string) bool { return slices.Contains(BeneficiaryKinds, kind) }

// Official is a person present at a handover: only name and title are kept.
type Official struct {
	Name  string
	Title string
}

// Handover is the official handover of the keys.
type Handover struct {
	Date                 Date
	Place                string
	Officials            []Official
	OdometerKM           int64
	CertificateReference string // cerfa n° 15776
}

// Cession is the transfer of a vehicle to a beneficiary.
type Cession struct {
	ID                  string
	Vehicle             string // vehicle id
	Beneficiary         string // directory organisation id
	BeneficiaryKind     string
	State               CessionState
	Note                string
	ProposeDate         Date
	ApproveDate         Date
	Handover            *Handover // set once handed over
	DeclarationDeadline Date
	DeclareDate         Date
	EndDate             Date   // rejected or cancelled
	EndReason           string // why
	Illustrative        bool
	resource.Meta
}

// Name is the cession's resource name.
func (c *Cession) Name() string { return "cessions/" + c.ID }

// Etag is the cession's current etag.
func (c *Cession) Etag() string { return c.Meta.Etag(c.Name()) }

// HandoverDate is the day of the handover ("" before it).
func (c *Cession) HandoverDate() Date {
	if c.Handover == nil {
		return ""
	}
	return c.Handover.Date
}

// Overdue reports whether the transfer should have been declared by today.
func (c *Cession) Overdue(today Date) bool {
	return c.State == HandedOver && c.DeclarationDeadline != "" && today > c.DeclarationDeadline
}
