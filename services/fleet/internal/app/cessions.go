package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

// ProposeCession offers a retired vehicle to a beneficiary. The beneficiary is checked against
// the directory first (an unreachable directory stops everything); then, in one transaction,
// the vehicle is reserved and the cession created. A vehicle has at most one open cession: of two
// concurrent proposals, one wins and the other gets ErrVehicleTaken or ErrWrongState.
func (s *Service) ProposeCession(ctx context.Context, c domain.Cession, date domain.Date) (*domain.Cession, error) {
	if c.ID == "" {
		c.ID = "c-" + s.ids()
	} else if !domain.ValidID(c.ID) {
		return nil, validation.Field("cession_id", "must be lowercase letters, digits and hyphens, at most 63")
	}
	if date == "" {
		date = s.today()
	}
	var errs validation.Error
	if c.Vehicle == "" {
		errs.Add("cession.vehicle", "is required: vehicles/{vehicle}")
	}
	if c.Beneficiary == "" {
		errs.Add("cession.beneficiary", "is required: organisations/{id}")
	}
	if !date.Valid() {
		errs.Add("propose_date", "is required: a valid calendar date")
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	kind, err := s.dir.OrganisationKind(ctx, c.Beneficiary)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, validation.Field("cession.beneficiary", "organisations/"+c.Beneficiary+" does not exist in the directory")
	}
	if errors.Is(err, domain.ErrOrganisationDeleted) {
		return nil, fmt.Errorf("cession.beneficiary: %w", err)
	}
	if err != nil {
		return nil, err
	}
	if !domain.MayReceive(kind) {
		return nil, validation.Field("cession.beneficiary", fmt.Sprintf("organisations/%s is of kind %s, which may not receive vehicles; kinds that may: %s",
			c.Beneficiary, kind, strings.Join(domain.BeneficiaryKinds, ", ")))
	}
	now := s.now()
	c.BeneficiaryKind, c.State, c.ProposeDate, c.Note = kind, domain.Proposed, date, strings.TrimSpace(c.Note)
	c.CreateTime, c.UpdateTime, c.Revision = now, now, 1
	created, _, err := s.repo.ProposeCession(ctx, &c, func(v *domain.Vehicle) ([]*domain.Event, error) {
		if err := v.Reserve(date, "propose_date"); err != nil {
			return nil, err
		}
		v.Revision++
		v.UpdateTime = now
		return []*domain.Event{
			s.cessionEvent(domain.CessionProposed, &c, ""),
			s.vehicleEvent(domain.VehicleReserved, v, domain.Retired),
		}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("propose %s: %w", c.Name(), err)
	}
	return created, nil
}

// ApproveCession approves a proposed cession.
func (s *Service) ApproveCession(ctx context.Context, id string, date domain.Date, etag string) (*domain.Cession, error) {
	return s.transition(ctx, id, etag, func(c *domain.Cession, v *domain.Vehicle) (domain.EventType, domain.EventType, error) {
		if c.State != domain.Proposed {
			return "", "", wrongState(c, "only a proposed cession can be approved")
		}
		if !date.Valid() || date < c.ProposeDate {
			return "", "", validation.Field("approve_date", "is required: a valid day, not before the proposal ("+string(c.ProposeDate)+")")
		}
		c.State, c.ApproveDate = domain.Approved, date
		return domain.CessionApproved, "", nil
	})
}

// RejectCession rejects a proposed cession; the vehicle is retired again.
func (s *Service) RejectCession(ctx context.Context, id, reason string, date domain.Date, etag string) (*domain.Cession, error) {
	return s.end(ctx, id, reason, date, etag, "reject_date", domain.Rejected, domain.CessionRejected, domain.Proposed)
}

// CancelCession cancels a cession before its handover; the vehicle is retired again.
func (s *Service) CancelCession(ctx context.Context, id, reason string, date domain.Date, etag string) (*domain.Cession, error) {
	return s.end(ctx, id, reason, date, etag, "cancel_date", domain.Cancelled, domain.CessionCancelled, domain.Proposed, domain.Approved)
}

func (s *Service) end(ctx context.Context, id, reason string, date domain.Date, etag, dateField string, to domain.CessionState, evType domain.EventType, from ...domain.CessionState) (*domain.Cession, error) {
	reason = strings.TrimSpace(reason)
	return s.transition(ctx, id, etag, func(c *domain.Cession, v *domain.Vehicle) (domain.EventType, domain.EventType, error) {
		allowed := false
		for _, st := range from {
			allowed = allowed || c.State == st
		}
		if !allowed {
			return "", "", wrongState(c, fmt.Sprintf("only a cession that is %v can become %s", from, to))
		}
		var errs validation.Error
		if reason == "" {
			errs.Add("reason", "is required")
		}
		if !date.Valid() || date < c.ProposeDate {
			errs.Add(dateField, "is required: a valid day, not before the proposal ("+string(c.ProposeDate)+")")
		}
		if err := errs.Err(); err != nil {
			return "", "", err
		}
		c.State, c.EndDate, c.EndReason = to, date, reason
		v.State = domain.Retired
		return evType, domain.VehicleReleased, nil
	})
}

// HandOverCession records the official handover of an approved cession: the vehicle is ceded,
// its odometer recorded, and the transfer must be declared within 15 days.
func (s *Service) HandOverCession(ctx context.Context, id string, h domain.Handover, etag string) (*domain.Cession, error) {
	return s.transition(ctx, id, etag, func(c *domain.Cession, v *domain.Vehicle) (domain.EventType, domain.EventType, error) {
		if c.State != domain.Approved {
			return "", "", wrongState(c, "only an approved cession can be handed over")
		}
		today := s.today()
		if err := c.CheckHandover(&h, today); err != nil {
			return "", "", err
		}
		reading := domain.OdometerReading{Date: h.Date, KM: h.OdometerKM}
		if err := v.CheckReading(reading, today, "handover.handover_date", "handover.odometer_km"); err != nil {
			return "", "", err
		}
		v.Readings = append(v.Readings, reading)
		v.State = domain.Ceded
		c.State, c.Handover = domain.HandedOver, &h
		c.DeclarationDeadline = h.Date.AddDays(domain.DeclarationDays)
		return domain.CessionHandedOver, domain.VehicleCeded, nil
	})
}

// DeclareCession records the declaration of the transfer of a handed-over cession.
func (s *Service) DeclareCession(ctx context.Context, id string, date domain.Date, etag string) (*domain.Cession, error) {
	return s.transition(ctx, id, etag, func(c *domain.Cession, v *domain.Vehicle) (domain.EventType, domain.EventType, error) {
		if c.State != domain.HandedOver {
			return "", "", wrongState(c, "only a handed-over cession can be declared")
		}
		if err := c.CheckDeclaration(date, s.today()); err != nil {
			return "", "", err
		}
		c.State, c.DeclareDate = domain.Declared, date
		return domain.CessionDeclared, "", nil
	})
}

func wrongState(c *domain.Cession, rule string) error {
	return fmt.Errorf("%s is %s; %s: %w", c.Name(), c.State, rule, domain.ErrWrongState)
}

// transition runs one step of a cession under its etag: change moves the cession (and maybe its
// vehicle) and names the cession's event and, when the vehicle changed, the vehicle's.
func (s *Service) transition(ctx context.Context, id, etag string, change func(*domain.Cession, *domain.Vehicle) (domain.EventType, domain.EventType, error)) (*domain.Cession, error) {
	c, err := s.repo.TransitionCession(ctx, id, func(c *domain.Cession, v *domain.Vehicle) ([]*domain.Event, error) {
		if err := domain.CheckEtag(etag, c.Etag()); err != nil {
			return nil, err
		}
		previous, previousVehicle := c.State, v.State
		cessionEvent, vehicleEvent, err := change(c, v)
		if err != nil {
			return nil, err
		}
		now := s.now()
		c.Revision++
		c.UpdateTime = now
		events := []*domain.Event{s.cessionEvent(cessionEvent, c, previous)}
		if vehicleEvent != "" {
			v.Revision++
			v.UpdateTime = now
			events = append(events, s.vehicleEvent(vehicleEvent, v, previousVehicle))
		}
		return events, nil
	})
	if err != nil {
		return nil, fmt.Errorf("cessions/%s: %w", id, err)
	}
	return c, nil
}

// GetCession returns one cession; a beneficiary's staff read only their organisation's. They
// learn nothing of the others, not even whether one exists (permission before existence): a
// missing cession is refused to them as another organisation's is.
func (s *Service) GetCession(ctx context.Context, actor domain.Actor, id string) (*domain.Cession, error) {
	c, err := s.repo.GetCession(ctx, id)
	if (err == nil && !actor.CanRead(c)) || (errors.Is(err, domain.ErrNotFound) && actor.Organisation != "") {
		err = domain.ErrPermissionDenied
	}
	if err != nil {
		return nil, fmt.Errorf("cessions/%s: %w", id, err)
	}
	return c, nil
}

// ListCessions returns one page of cessions; a beneficiary's staff see only their
// organisation's. Overdue is computed against today. A window of handover days must have both
// ends, the end not before the start.
func (s *Service) ListCessions(ctx context.Context, actor domain.Actor, q domain.CessionQuery, overdue bool) (Page[*domain.Cession], error) {
	if actor.Organisation != "" {
		if b, ok := q.Filters["beneficiary"]; ok && b != actor.Organisation {
			return Page[*domain.Cession]{}, fmt.Errorf("organisations/%s's cessions: %w", b, domain.ErrPermissionDenied)
		}
		if q.Filters == nil {
			q.Filters = map[string]string{}
		}
		q.Filters["beneficiary"] = actor.Organisation
	}
	if q.HandedOverFrom != "" || q.HandedOverTo != "" {
		if err := domain.CheckWindow(q.HandedOverFrom, q.HandedOverTo); err != nil {
			return Page[*domain.Cession]{}, err
		}
	}
	if overdue {
		q.OverdueOn = s.today()
	}
	return page(q.Limit, func(limit int) ([]*domain.Cession, int, error) {
		q.Limit = limit
		return s.repo.ListCessions(ctx, q)
	}, func(c *domain.Cession) string { return c.ID })
}

// KindCount is how many cessions went to one kind of beneficiary.
type KindCount struct {
	Kind  string
	Count int
}

// CountCessions counts the vehicles handed over between two days (inclusive), by kind of
// beneficiary, largest first.
func (s *Service) CountCessions(ctx context.Context, from, to domain.Date) (int, []KindCount, error) {
	if err := domain.CheckWindow(from, to); err != nil {
		return 0, nil, err
	}
	counts, err := s.repo.CountHandedOver(ctx, from, to)
	if err != nil {
		return 0, nil, err
	}
	total := 0
	out := make([]KindCount, 0, len(counts))
	for k, n := range counts {
		out = append(out, KindCount{Kind: k, Count: n})
		total += n
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Kind < out[j].Kind
	})
	return total, out, nil
}
