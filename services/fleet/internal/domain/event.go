package domain

import "time"

// EventType names a change the fleet service publishes; the NATS subject is "vif.fleet.v1." +
// the type.
type EventType string

// The fleet's events.
const (
	VehicleRegistered       EventType = "vehicle.registered"
	VehicleUpdated          EventType = "vehicle.updated"
	VehicleOdometerRecorded EventType = "vehicle.odometer_recorded"
	VehicleRetired          EventType = "vehicle.retired"
	VehicleScrapped         EventType = "vehicle.scrapped"
	VehicleReserved         EventType = "vehicle.reserved"
	VehicleCeded            EventType = "vehicle.ceded"
	VehicleReleased         EventType = "vehicle.released"
	CessionProposed         EventType = "cession.proposed"
	CessionApproved         EventType = "cession.approved"
	CessionRejected         EventType = "cession.rejected"
	CessionHandedOver       EventType = "cession.handed_over"
	CessionDeclared         EventType = "cession.declared"
	CessionCancelled        EventType = "cession.cancelled"
)

// Event is one change, recorded in the same transaction as the change.
type Event struct {
	ID                   string
	Type                 EventType
	Time                 time.Time
	Vehicle              *Vehicle // vehicle events (a snapshot)
	PreviousVehicleState VehicleState
	Cession              *Cession // cession events (a snapshot)
	PreviousCessionState CessionState
	UpdateMask           []string
}
