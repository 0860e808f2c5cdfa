package directory

import (
	"context"
	"errors"
	"fmt"

	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/directory/internal/adapters/grpcapi"
	"github.com/vif71/vif/services/directory/internal/adapters/store"
	"github.com/vif71/vif/services/directory/internal/domain"
	"github.com/vif71/vif/services/directory/internal/refdata"
)

// NetworkIDs lists the ids of the département's networks, in order. They are the built-in
// referential, the same in every instance: a tool can check a network id without a database.
func NetworkIDs() ([]string, error) {
	ref, err := refdata.Load()
	if err != nil {
		return nil, fmt.Errorf("directory: referential: %w", err)
	}
	ids := make([]string, len(ref.Networks))
	for i, n := range ref.Networks {
		ids[i] = n.ID
	}
	return ids, nil
}

// ErrNoSuchOrganisation is what CheckOrganisation returns for an organisation that db does not
// hold; ErrOrganisationDeleted for one it holds soft-deleted.
var (
	ErrNoSuchOrganisation  = errors.New("no such organisation")
	ErrOrganisationDeleted = domain.ErrOrganisationDeleted
)

// CheckOrganisation reports whether db, a directory database, holds organisations/{id}, not
// deleted (nil), or not (ErrNoSuchOrganisation, ErrOrganisationDeleted): whether something new
// may refer to it. It migrates db first, as the service would.
func CheckOrganisation(ctx context.Context, db *storage.DB, id string) error {
	st, err := store.Open(ctx, db, grpcapi.EncodeEvent, nil)
	if err != nil {
		return fmt.Errorf("directory: store: %w", err)
	}
	o, err := st.GetOrganisation(ctx, id)
	if errors.Is(err, domain.ErrNotFound) {
		return fmt.Errorf("organisations/%s: %w", id, ErrNoSuchOrganisation)
	}
	if err != nil {
		return err
	}
	return o.CheckReferable()
}
