// Package grpcapi serves the fleet over gRPC: it translates between the API's protobuf messages
// and the domain, and nothing else. Protobuf types stop here.
package grpcapi

import (
	"context"
	"errors"

	"github.com/vif71/vif/platform/aip"
	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/validation"
	fleetv1 "github.com/vif71/vif/proto/gen/go/vif/fleet/v1"
	"github.com/vif71/vif/services/fleet/internal/app"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

// Server implements fleetv1.FleetServiceServer.
type Server struct {
	fleetv1.UnimplementedFleetServiceServer
	app *app.Service
}

// NewServer returns the gRPC face of svc.
func NewServer(svc *app.Service) *Server { return &Server{app: svc} }

// renameField names a violation of from as to: a rule reports a field of the request one way,
// and the caller gave the value in another place of it.
func renameField(err error, from, to string) error {
	var ve *validation.Error
	if !errors.As(err, &ve) {
		return err
	}
	out := &validation.Error{}
	for _, v := range ve.Violations {
		if v.Field == from {
			v.Field = to
		}
		out.Add(v.Field, v.Description)
	}
	return out
}

func vehicleStates() []string {
	return []string{string(domain.InService), string(domain.Retired), string(domain.Reserved), string(domain.Ceded), string(domain.Scrapped)}
}

func cessionStates() []string {
	out := make([]string, len(domain.CessionStates))
	for i, s := range domain.CessionStates {
		out[i] = string(s)
	}
	return out
}

// RegisterVehicle implements fleetv1.FleetServiceServer.
func (s *Server) RegisterVehicle(ctx context.Context, req *fleetv1.RegisterVehicleRequest) (*fleetv1.Vehicle, error) {
	v := vehicleFromProto(req.GetVehicle())
	v.ID = req.GetVehicleId()
	if st := req.GetInitialState(); st != fleetv1.VehicleState_VEHICLE_STATE_UNSPECIFIED {
		v.State = domain.VehicleState(trimPrefix(st.String(), vehicleStatePrefix))
	}
	created, err := s.app.RegisterVehicle(ctx, v, readingFromProto(req.GetInitialReading()))
	if err != nil {
		return nil, err
	}
	return vehicleToProto(created), nil
}

// GetVehicle implements fleetv1.FleetServiceServer.
func (s *Server) GetVehicle(ctx context.Context, req *fleetv1.GetVehicleRequest) (*fleetv1.Vehicle, error) {
	id, err := aip.ID(req.GetName(), "vehicles/", "name")
	if err != nil {
		return nil, err
	}
	v, err := s.app.GetVehicle(ctx, id)
	if err != nil {
		return nil, err
	}
	return vehicleToProto(v), nil
}

var vehicleFilters = aip.Filters{
	"state": aip.OneOf(vehicleStatePrefix, vehicleStates()),
	"make":  aip.Text,
	"vin":   aip.Text,
	"plate": aip.Text,
}

// ListVehicles implements fleetv1.FleetServiceServer.
func (s *Server) ListVehicles(ctx context.Context, req *fleetv1.ListVehiclesRequest) (*fleetv1.ListVehiclesResponse, error) {
	page, err := aip.ListFiltered("ListVehicles", "", req, vehicleFilters, func(q aip.Query) (resource.Page[*domain.Vehicle], error) {
		return s.app.ListVehicles(ctx, domain.Query(q))
	}, vehicleToProto)
	if err != nil {
		return nil, err
	}
	return &fleetv1.ListVehiclesResponse{Vehicles: page.Items, TotalSize: page.TotalSize, NextPageToken: page.NextPageToken}, nil
}

// UpdateVehicle implements fleetv1.FleetServiceServer.
func (s *Server) UpdateVehicle(ctx context.Context, req *fleetv1.UpdateVehicleRequest) (*fleetv1.Vehicle, error) {
	id, err := aip.ID(req.GetVehicle().GetName(), "vehicles/", "vehicle.name")
	if err != nil {
		return nil, err
	}
	mask, err := aip.ResolveMask(req.GetUpdateMask(), req.GetVehicle(), domain.VehicleFields)
	if err != nil {
		return nil, err
	}
	v, err := s.app.UpdateVehicle(ctx, id, vehicleFromProto(req.GetVehicle()), mask, req.GetVehicle().GetEtag())
	if err != nil {
		return nil, err
	}
	return vehicleToProto(v), nil
}

// RecordOdometerReading implements fleetv1.FleetServiceServer.
func (s *Server) RecordOdometerReading(ctx context.Context, req *fleetv1.RecordOdometerReadingRequest) (*fleetv1.Vehicle, error) {
	id, err := aip.ID(req.GetName(), "vehicles/", "name")
	if err != nil {
		return nil, err
	}
	v, err := s.app.RecordOdometer(ctx, id, *readingFromProto(req.GetReading()), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return vehicleToProto(v), nil
}

// RetireVehicle implements fleetv1.FleetServiceServer.
func (s *Server) RetireVehicle(ctx context.Context, req *fleetv1.RetireVehicleRequest) (*fleetv1.Vehicle, error) {
	id, err := aip.ID(req.GetName(), "vehicles/", "name")
	if err != nil {
		return nil, err
	}
	v, err := s.app.RetireVehicle(ctx, id, dateFromProto(req.GetRetireDate()), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return vehicleToProto(v), nil
}

// ScrapVehicle implements fleetv1.FleetServiceServer.
func (s *Server) ScrapVehicle(ctx context.Context, req *fleetv1.ScrapVehicleRequest) (*fleetv1.Vehicle, error) {
	id, err := aip.ID(req.GetName(), "vehicles/", "name")
	if err != nil {
		return nil, err
	}
	v, err := s.app.ScrapVehicle(ctx, id, dateFromProto(req.GetScrapDate()), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return vehicleToProto(v), nil
}

// ProposeCession implements fleetv1.FleetServiceServer.
func (s *Server) ProposeCession(ctx context.Context, req *fleetv1.ProposeCessionRequest) (_ *fleetv1.Cession, err error) {
	c := domain.Cession{
		ID:          req.GetCessionId(),
		Vehicle:     trimPrefix(req.GetCession().GetVehicle(), "vehicles/"),
		Beneficiary: trimPrefix(req.GetCession().GetBeneficiary(), "organisations/"),
		Note:        req.GetCession().GetNote(),
	}
	// The day may come in the cession (the REST body) or beside it (the query): the same day
	// either way.
	date, inBody := dateFromProto(req.GetProposeDate()), dateFromProto(req.GetCession().GetProposeDate())
	if date != "" && inBody != "" && date != inBody {
		return nil, validation.Field("cession.propose_date", "differs from propose_date ("+string(date)+"): give the day once")
	}
	if date == "" && inBody != "" {
		date = inBody
		defer func() { err = renameField(err, "propose_date", "cession.propose_date") }()
	}
	created, err := s.app.ProposeCession(ctx, c, date)
	if err != nil {
		return nil, err
	}
	return cessionToProto(created), nil
}

// GetCession implements fleetv1.FleetServiceServer.
func (s *Server) GetCession(ctx context.Context, req *fleetv1.GetCessionRequest) (*fleetv1.Cession, error) {
	id, err := aip.ID(req.GetName(), "cessions/", "name")
	if err != nil {
		return nil, err
	}
	c, err := s.app.GetCession(ctx, actorFrom(ctx), id)
	if err != nil {
		return nil, err
	}
	return cessionToProto(c), nil
}

var cessionFilters = aip.Filters{
	"state":            aip.OneOf(cessionStatePrefix, cessionStates()),
	"beneficiary":      aip.IDOf("organisations/"),
	"beneficiary_kind": aip.OneOf("", domain.BeneficiaryKinds),
	"vehicle":          aip.IDOf("vehicles/"),
	"overdue": func(v string) (string, error) {
		if v != "true" {
			return "", validation.Field("filter", `overdue only accepts "true"`)
		}
		return v, nil
	},
}

// ListCessions implements fleetv1.FleetServiceServer.
func (s *Server) ListCessions(ctx context.Context, req *fleetv1.ListCessionsRequest) (*fleetv1.ListCessionsResponse, error) {
	window := string(dateFromProto(req.GetStartDate())) + "/" + string(dateFromProto(req.GetEndDate()))
	page, err := aip.ListFiltered("ListCessions", window, req, cessionFilters, func(base aip.Query) (resource.Page[*domain.Cession], error) {
		_, overdue := base.Filters["overdue"]
		delete(base.Filters, "overdue")
		q := domain.CessionQuery{Query: domain.Query(base)}
		if req.GetStartDate() != nil || req.GetEndDate() != nil {
			// A window needs both ends, the end not before the start: the use case checks it.
			q.HandedOverFrom, q.HandedOverTo = dateFromProto(req.GetStartDate()), dateFromProto(req.GetEndDate())
		}
		return s.app.ListCessions(ctx, actorFrom(ctx), q, overdue)
	}, cessionToProto)
	if err != nil {
		return nil, err
	}
	return &fleetv1.ListCessionsResponse{Cessions: page.Items, TotalSize: page.TotalSize, NextPageToken: page.NextPageToken}, nil
}

// CountCessions implements fleetv1.FleetServiceServer.
func (s *Server) CountCessions(ctx context.Context, req *fleetv1.CountCessionsRequest) (*fleetv1.CountCessionsResponse, error) {
	total, byKind, err := s.app.CountCessions(ctx, dateFromProto(req.GetStartDate()), dateFromProto(req.GetEndDate()))
	if err != nil {
		return nil, err
	}
	resp := &fleetv1.CountCessionsResponse{Total: int32(total)}
	for _, k := range byKind {
		resp.ByBeneficiaryKind = append(resp.ByBeneficiaryKind, &fleetv1.KindCount{BeneficiaryKind: k.Kind, Count: int32(k.Count)})
	}
	return resp, nil
}

func (s *Server) cession(id string, err error, do func(string) (*domain.Cession, error)) (*fleetv1.Cession, error) {
	if err != nil {
		return nil, err
	}
	c, err := do(id)
	if err != nil {
		return nil, err
	}
	return cessionToProto(c), nil
}

// ApproveCession implements fleetv1.FleetServiceServer.
func (s *Server) ApproveCession(ctx context.Context, req *fleetv1.ApproveCessionRequest) (*fleetv1.Cession, error) {
	id, err := aip.ID(req.GetName(), "cessions/", "name")
	return s.cession(id, err, func(id string) (*domain.Cession, error) {
		return s.app.ApproveCession(ctx, id, dateFromProto(req.GetApproveDate()), req.GetEtag())
	})
}

// RejectCession implements fleetv1.FleetServiceServer.
func (s *Server) RejectCession(ctx context.Context, req *fleetv1.RejectCessionRequest) (*fleetv1.Cession, error) {
	id, err := aip.ID(req.GetName(), "cessions/", "name")
	return s.cession(id, err, func(id string) (*domain.Cession, error) {
		return s.app.RejectCession(ctx, id, req.GetReason(), dateFromProto(req.GetRejectDate()), req.GetEtag())
	})
}

// HandOverCession implements fleetv1.FleetServiceServer.
func (s *Server) HandOverCession(ctx context.Context, req *fleetv1.HandOverCessionRequest) (*fleetv1.Cession, error) {
	id, err := aip.ID(req.GetName(), "cessions/", "name")
	return s.cession(id, err, func(id string) (*domain.Cession, error) {
		return s.app.HandOverCession(ctx, id, handoverFromProto(req.GetHandover()), req.GetEtag())
	})
}

// DeclareCession implements fleetv1.FleetServiceServer.
func (s *Server) DeclareCession(ctx context.Context, req *fleetv1.DeclareCessionRequest) (*fleetv1.Cession, error) {
	id, err := aip.ID(req.GetName(), "cessions/", "name")
	return s.cession(id, err, func(id string) (*domain.Cession, error) {
		return s.app.DeclareCession(ctx, id, dateFromProto(req.GetDeclareDate()), req.GetEtag())
	})
}

// CancelCession implements fleetv1.FleetServiceServer.
func (s *Server) CancelCession(ctx context.Context, req *fleetv1.CancelCessionRequest) (*fleetv1.Cession, error) {
	id, err := aip.ID(req.GetName(), "cessions/", "name")
	return s.cession(id, err, func(id string) (*domain.Cession, error) {
		return s.app.CancelCession(ctx, id, req.GetReason(), dateFromProto(req.GetCancelDate()), req.GetEtag())
	})
}
