package grpcapi

import (
	"strings"

	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/vif71/vif/platform/calendar"
	"github.com/vif71/vif/platform/calendar/datepb"
	fleetv1 "github.com/vif71/vif/proto/gen/go/vif/fleet/v1"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

const (
	vehicleStatePrefix = "VEHICLE_STATE_"
	cessionStatePrefix = "CESSION_STATE_"
)

// dateToProto and dateFromProto convert the fleet's days (platform/calendar/datepb).
func dateToProto(d domain.Date) *date.Date { return datepb.ToProto(calendar.Date(d)) }

func dateFromProto(d *date.Date) domain.Date { return domain.Date(datepb.FromProto(d)) }

func vehicleStateToProto(s domain.VehicleState) fleetv1.VehicleState {
	return fleetv1.VehicleState(fleetv1.VehicleState_value[vehicleStatePrefix+string(s)])
}

func cessionStateToProto(s domain.CessionState) fleetv1.CessionState {
	return fleetv1.CessionState(fleetv1.CessionState_value[cessionStatePrefix+string(s)])
}

func vehicleToProto(v *domain.Vehicle) *fleetv1.Vehicle {
	out := &fleetv1.Vehicle{
		Name:                  v.Name(),
		Vin:                   v.VIN,
		Plate:                 v.Plate,
		Make:                  v.Make,
		Model:                 v.Model,
		FirstRegistrationDate: dateToProto(v.FirstRegistrationDate),
		RetireDate:            dateToProto(v.RetireDate),
		State:                 vehicleStateToProto(v.State),
		OdometerKm:            v.OdometerKM(),
		Illustrative:          v.Illustrative,
		Etag:                  v.Etag(),
		CreateTime:            timestamppb.New(v.CreateTime),
		UpdateTime:            timestamppb.New(v.UpdateTime),
	}
	for _, r := range v.Readings {
		out.OdometerReadings = append(out.OdometerReadings, &fleetv1.OdometerReading{ReadingDate: dateToProto(r.Date), OdometerKm: r.KM})
	}
	return out
}

func vehicleFromProto(p *fleetv1.Vehicle) domain.Vehicle {
	return domain.Vehicle{
		VIN: p.GetVin(), Plate: p.GetPlate(), Make: p.GetMake(), Model: p.GetModel(),
		FirstRegistrationDate: dateFromProto(p.GetFirstRegistrationDate()),
		RetireDate:            dateFromProto(p.GetRetireDate()),
	}
}

func readingFromProto(p *fleetv1.OdometerReading) *domain.OdometerReading {
	if p == nil {
		return nil
	}
	return &domain.OdometerReading{Date: dateFromProto(p.GetReadingDate()), KM: p.GetOdometerKm()}
}

func cessionToProto(c *domain.Cession) *fleetv1.Cession {
	out := &fleetv1.Cession{
		Name:                c.Name(),
		Vehicle:             "vehicles/" + c.Vehicle,
		Beneficiary:         "organisations/" + c.Beneficiary,
		BeneficiaryKind:     c.BeneficiaryKind,
		State:               cessionStateToProto(c.State),
		Note:                c.Note,
		ProposeDate:         dateToProto(c.ProposeDate),
		ApproveDate:         dateToProto(c.ApproveDate),
		DeclarationDeadline: dateToProto(c.DeclarationDeadline),
		DeclareDate:         dateToProto(c.DeclareDate),
		EndDate:             dateToProto(c.EndDate),
		EndReason:           c.EndReason,
		Illustrative:        c.Illustrative,
		Etag:                c.Etag(),
		CreateTime:          timestamppb.New(c.CreateTime),
		UpdateTime:          timestamppb.New(c.UpdateTime),
	}
	if h := c.Handover; h != nil {
		ph := &fleetv1.Handover{
			HandoverDate: dateToProto(h.Date), Place: h.Place, OdometerKm: h.OdometerKM,
			CertificateReference: h.CertificateReference,
		}
		for _, o := range h.Officials {
			ph.Officials = append(ph.Officials, &fleetv1.Official{DisplayName: o.Name, Title: o.Title})
		}
		out.Handover = ph
	}
	return out
}

func handoverFromProto(p *fleetv1.Handover) domain.Handover {
	h := domain.Handover{
		Date: dateFromProto(p.GetHandoverDate()), Place: p.GetPlace(), OdometerKM: p.GetOdometerKm(),
		CertificateReference: p.GetCertificateReference(),
	}
	for _, o := range p.GetOfficials() {
		h.Officials = append(h.Officials, domain.Official{Name: o.GetDisplayName(), Title: o.GetTitle()})
	}
	return h
}

func trimPrefix(s, prefix string) string { return strings.TrimPrefix(s, prefix) }
