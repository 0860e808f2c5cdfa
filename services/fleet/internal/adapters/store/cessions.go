package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/vif71/vif/platform/sqlstore"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

const cessionColumns = `id, vehicle, beneficiary, beneficiary_kind, state, note, propose_date, approve_date,
	handover_date, handover_place, handover_officials, handover_odometer_km, handover_certificate,
	declaration_deadline, declare_date, end_date, end_reason, illustrative, revision, create_time, update_time`

var cessionFilters = map[string]storage.FilterColumn{
	"state":            {Column: "state"},
	"beneficiary":      {Column: "beneficiary"},
	"beneficiary_kind": {Column: "beneficiary_kind"},
	"vehicle":          {Column: "vehicle"},
}

// openCondition selects the cessions that hold their vehicle (domain.CessionState.Open). It is
// the predicate of the partial index cessions_one_open_per_vehicle, written the same way so that
// both planners use that index.
const openCondition = `state IN ('` + string(domain.Proposed) + `', '` + string(domain.Approved) + `')`

// A handover is kept in the handover_* columns. handover_date is NULL until the cession is
// handed over, which is how a read tells "no handover" (Handover nil) from a handover whose day
// is unknown (the empty text); the officials are a JSON array, in the order given:
// [{"name": "…", "title": "…"}, ...].
type officialJSON struct {
	Name  string `json:"name"`
	Title string `json:"title"`
}

// handoverRow is a cession's handover as stored.
type handoverRow struct {
	date        sql.NullString
	place       string
	officials   string
	odometerKM  int64
	certificate string
}

func encodeHandover(h *domain.Handover) (handoverRow, error) {
	if h == nil {
		return handoverRow{officials: "[]"}, nil
	}
	officials := make([]officialJSON, len(h.Officials))
	for i, o := range h.Officials {
		officials[i] = officialJSON{Name: o.Name, Title: o.Title}
	}
	js, err := storage.EncodeList(officials)
	return handoverRow{
		date:        sql.NullString{String: string(h.Date), Valid: true},
		place:       h.Place,
		officials:   js,
		odometerKM:  h.OdometerKM,
		certificate: h.CertificateReference,
	}, err
}

func (r handoverRow) decode() (*domain.Handover, error) {
	if !r.date.Valid {
		return nil, nil
	}
	officials, err := storage.DecodeList[officialJSON](r.officials, "cessions.handover_officials")
	if err != nil {
		return nil, err
	}
	h := &domain.Handover{
		Date:                 domain.Date(r.date.String),
		Place:                r.place,
		OdometerKM:           r.odometerKM,
		CertificateReference: r.certificate,
	}
	for _, o := range officials {
		h.Officials = append(h.Officials, domain.Official{Name: o.Name, Title: o.Title})
	}
	return h, nil
}

func scanCession(row storage.Scanner) (*domain.Cession, error) {
	var c domain.Cession
	var state, propose, approve, deadline, declare, end string
	var h handoverRow
	err := row.Scan(&c.ID, &c.Vehicle, &c.Beneficiary, &c.BeneficiaryKind, &state, &c.Note, &propose, &approve,
		&h.date, &h.place, &h.officials, &h.odometerKM, &h.certificate,
		&deadline, &declare, &end, &c.EndReason, &c.Illustrative, &c.Revision, &c.CreateTime, &c.UpdateTime)
	if err != nil {
		return nil, err
	}
	c.State = domain.CessionState(state)
	c.ProposeDate, c.ApproveDate = domain.Date(propose), domain.Date(approve)
	c.DeclarationDeadline, c.DeclareDate, c.EndDate = domain.Date(deadline), domain.Date(declare), domain.Date(end)
	if c.Handover, err = h.decode(); err != nil {
		return nil, err
	}
	c.CreateTime, c.UpdateTime = c.CreateTime.UTC(), c.UpdateTime.UTC()
	return &c, nil
}

func getCession(ctx context.Context, q storage.Querier, id, suffix string) (*domain.Cession, error) {
	return storage.GetByID(ctx, q, "cessions", cessionColumns, id, suffix, scanCession)
}

// openCessionOf returns the id of vehicle's open cession, "" when it has none.
func openCessionOf(ctx context.Context, q storage.Querier, vehicle string) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT id FROM cessions WHERE vehicle = $1 AND `+openCondition, vehicle).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// vehicleTaken is the error of a second open cession for vehicle that the unique index refused.
func vehicleTaken(vehicle string) error {
	return fmt.Errorf("%s: %w", vehicleName(vehicle), domain.ErrVehicleTaken)
}

func insertCession(ctx context.Context, tx *sql.Tx, c *domain.Cession) error {
	h, err := encodeHandover(c.Handover)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO cessions (`+cessionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
		c.ID, c.Vehicle, c.Beneficiary, c.BeneficiaryKind, string(c.State), c.Note, string(c.ProposeDate), string(c.ApproveDate),
		h.date, h.place, h.officials, h.odometerKM, h.certificate,
		string(c.DeclarationDeadline), string(c.DeclareDate), string(c.EndDate), c.EndReason, c.Illustrative,
		c.Revision, c.CreateTime, c.UpdateTime)
	return err
}

// updateCession writes every field of c but its id, vehicle and creation time, which never
// change.
func updateCession(ctx context.Context, tx *sql.Tx, c *domain.Cession) error {
	h, err := encodeHandover(c.Handover)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE cessions SET beneficiary = $2, beneficiary_kind = $3, state = $4, note = $5,
		propose_date = $6, approve_date = $7, handover_date = $8, handover_place = $9, handover_officials = $10,
		handover_odometer_km = $11, handover_certificate = $12, declaration_deadline = $13, declare_date = $14,
		end_date = $15, end_reason = $16, illustrative = $17, revision = $18, update_time = $19
		WHERE id = $1`,
		c.ID, c.Beneficiary, c.BeneficiaryKind, string(c.State), c.Note, string(c.ProposeDate), string(c.ApproveDate),
		h.date, h.place, h.officials, h.odometerKM, h.certificate,
		string(c.DeclarationDeadline), string(c.DeclareDate), string(c.EndDate), c.EndReason, c.Illustrative,
		c.Revision, c.UpdateTime)
	return err
}

// ProposeCession implements domain.Repository. After locking the vehicle it looks for an open
// cession of it and hands its id to propose, which applies the domain's rule (domain.VehicleFree).
// The partial unique index behind is the last guard, whatever the interleaving or the closure;
// its violation is ErrVehicleTaken as well. A vehicle that does not exist gives ErrNotFound
// naming it. The idempotency key in ctx is claimed first, in the
// same transaction (idempotency.Claim): a replay returns the cession proposed then, without
// calling propose.
func (s *Store) ProposeCession(ctx context.Context, c *domain.Cession, propose func(v *domain.Vehicle, open string) ([]*domain.Event, error)) (*domain.Cession, bool, error) {
	vehicle := c.Vehicle
	onUnique := func(err error) error {
		if oneOpenCessionKey.ViolatedBy(err) {
			return vehicleTaken(vehicle)
		}
		return domain.ErrAlreadyExists
	}
	// The key is claimed before the vehicle is locked: on PostgreSQL a concurrent call with this
	// key waits at the claim for this one, then replays it.
	return sqlstore.CreateMapped(ctx, s.Shell, c.Name(), c, onUnique,
		func(tx *sql.Tx, prev string) (*domain.Cession, error) {
			return getCession(ctx, tx, strings.TrimPrefix(prev, "cessions/"), "")
		},
		func(tx *sql.Tx) ([]*domain.Event, error) {
			v, err := getVehicle(ctx, tx, vehicle, s.ForNoKeyUpdate())
			if errors.Is(err, domain.ErrNotFound) {
				return nil, fmt.Errorf("%s: %w", vehicleName(vehicle), domain.ErrNotFound)
			}
			if err != nil {
				return nil, err
			}
			open, err := openCessionOf(ctx, tx, vehicle)
			if err != nil {
				return nil, err
			}
			events, err := changeVehicle(ctx, tx, v, func() ([]*domain.Event, error) { return propose(v, open) })
			if err != nil {
				return nil, err
			}
			c.Vehicle = vehicle
			c.CreateTime, c.UpdateTime = storage.Stored(c.CreateTime), storage.Stored(c.UpdateTime)
			if err := insertCession(ctx, tx, c); err != nil {
				return nil, err
			}
			return events, nil
		})
}

// GetCession implements domain.Repository.
func (s *Store) GetCession(ctx context.Context, id string) (*domain.Cession, error) {
	return getCession(ctx, s.DB, id, "")
}

// ListCessions implements domain.Repository: filters state, beneficiary, beneficiary_kind and
// vehicle; a window on the handover day (either bound may be open); the overdue ones on a day.
// Ordered and resumed by id. A malformed day is an error, as an unknown filter key is.
func (s *Store) ListCessions(ctx context.Context, q domain.CessionQuery) ([]*domain.Cession, int, error) {
	var w storage.Where
	if err := w.AddFilters("cessions", q.Filters, cessionFilters); err != nil {
		return nil, 0, err
	}
	if err := handoverWindow(&w, q.HandedOverFrom, q.HandedOverTo); err != nil {
		return nil, 0, err
	}
	if q.OverdueOn != "" {
		if err := checkDate("overdue day", q.OverdueOn); err != nil {
			return nil, 0, err
		}
		// domain.Cession.Overdue: handed over, not declared, a deadline before the day.
		w.Add("state = ? AND declaration_deadline <> '' AND declaration_deadline < ?", string(domain.HandedOver), string(q.OverdueOn))
	}
	return storage.ReadPage(ctx, s.DB, "cessions", cessionColumns, &w, storage.After("id", q.After), "id", q.Limit, scanCession)
}

// handoverWindow selects the cessions handed over between from and to, inclusive; an empty
// bound is open, both empty select everything. A handover of unknown day is in no window.
func handoverWindow(w *storage.Where, from, to domain.Date) error {
	if err := checkDate("handover window start", from); err != nil {
		return err
	}
	if err := checkDate("handover window end", to); err != nil {
		return err
	}
	if from == "" && to == "" {
		return nil
	}
	w.Add("handover_date <> ''")
	if from != "" {
		w.Add("handover_date >= ?", string(from))
	}
	if to != "" {
		w.Add("handover_date <= ?", string(to))
	}
	return nil
}

// TransitionCession implements domain.Repository. A change that opens the cession again while
// its vehicle has another open one gives ErrVehicleTaken.
func (s *Store) TransitionCession(ctx context.Context, id string, change func(c *domain.Cession, v *domain.Vehicle) ([]*domain.Event, error)) (*domain.Cession, error) {
	var updated *domain.Cession
	var vehicle string
	err := s.Write(ctx, func(tx *sql.Tx) ([]*domain.Event, error) {
		// A cession's vehicle never changes: read it unlocked to lock the vehicle first, in the
		// store's lock order, then lock the cession.
		c, err := getCession(ctx, tx, id, "")
		if err != nil {
			return nil, err
		}
		vehicle = c.Vehicle
		v, err := getVehicle(ctx, tx, vehicle, s.ForNoKeyUpdate())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", vehicleName(vehicle), err)
		}
		if c, err = getCession(ctx, tx, id, s.ForNoKeyUpdate()); err != nil {
			return nil, err
		}
		created := c.CreateTime
		events, err := changeVehicle(ctx, tx, v, func() ([]*domain.Event, error) { return change(c, v) })
		if err != nil {
			return nil, err
		}
		c.ID, c.Vehicle, c.CreateTime, c.UpdateTime = id, vehicle, created, storage.Stored(c.UpdateTime)
		if err := updateCession(ctx, tx, c); err != nil {
			return nil, err
		}
		updated = c
		return events, nil
	})
	if oneOpenCessionKey.ViolatedBy(err) {
		return nil, vehicleTaken(vehicle)
	}
	if err != nil {
		return nil, err
	}
	return updated, nil
}

// CountHandedOver implements domain.Repository: the cessions handed over (HANDED_OVER or
// DECLARED) on a day between from and to, inclusive, by beneficiary kind; an empty bound is open.
// Kinds without any are absent from the map.
func (s *Store) CountHandedOver(ctx context.Context, from, to domain.Date) (map[string]int, error) {
	var w storage.Where
	w.Add("state IN (?, ?)", string(domain.HandedOver), string(domain.Declared))
	if err := handoverWindow(&w, from, to); err != nil {
		return nil, err
	}
	type kindCount struct {
		kind string
		n    int
	}
	rows, err := storage.Collect(ctx, s.DB, `SELECT beneficiary_kind, COUNT(*) FROM cessions`+w.String()+` GROUP BY beneficiary_kind`,
		w.Args(), func(row storage.Scanner) (kindCount, error) {
			var kc kindCount
			err := row.Scan(&kc.kind, &kc.n)
			return kc, err
		})
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(rows))
	for _, kc := range rows {
		out[kc.kind] = kc.n
	}
	return out, nil
}
