package app

import (
	"context"

	"github.com/vif71/vif/services/fleet/internal/domain"
)

// RecordOdometer adds a reading, which may not be lower than the previous one
// (domain.Vehicle.Record).
func (s *Service) RecordOdometer(ctx context.Context, id string, r domain.OdometerReading, etag string) (*domain.Vehicle, error) {
	return s.changeVehicle(ctx, id, etag, func(v *domain.Vehicle) (domain.EventType, []string, error) {
		return domain.VehicleOdometerRecorded, nil, v.Record(r, s.today())
	})
}
