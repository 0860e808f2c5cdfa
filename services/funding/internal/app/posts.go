package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vif71/vif/platform/frid"
	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// hostKinds are the directory organisation kinds that may host an ISCG post.
var hostKinds = []string{"POLICE", "GENDARMERIE"}

// CreatePost checks a post's network and host organisation against the directory and stores it.
// An unreachable directory stops the create: nothing is written on a guess.
func (s *Service) CreatePost(ctx context.Context, p domain.Post) (*domain.Post, error) {
	if p.ID == "" {
		p.ID = "p-" + s.ids()
	} else if !domain.ValidID(p.ID) {
		return nil, validation.Field("post_id", "must be lowercase letters, digits and hyphens, at most 63")
	}
	if err := validatePost(&p); err != nil {
		return nil, err
	}
	if err := s.checkPostReferences(ctx, p.Network, p.HostOrganisation); err != nil {
		return nil, err
	}
	now := s.now()
	p.CreateTime, p.UpdateTime, p.Revision = now, now, 1
	ev := s.newEvent(domain.PostCreated)
	ev.Post = &p
	created, _, err := s.repo.CreatePost(ctx, &p, ev)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", p.Name(), err)
	}
	return created, nil
}

// validatePost checks p's own rules.
func validatePost(p *domain.Post) error {
	var errs validation.Error
	p.DisplayName = strings.TrimSpace(p.DisplayName)
	if p.DisplayName == "" {
		errs.Add("post.display_name", "is required")
	}
	if p.Network == "" {
		errs.Add("post.network", "is required: networks/{network}")
	}
	if p.HostOrganisation == "" {
		errs.Add("post.host_organisation", "is required: the police or gendarmerie organisation hosting the post")
	}
	if p.FTEThousandths < 1 || p.FTEThousandths > 10000 {
		errs.Add("post.fte_thousandths", "must be between 1 and 10000 (1000 is one full-time post)")
	}
	if !p.StartDate.Valid() {
		errs.Add("post.start_date", "is required: a valid calendar date")
	}
	if p.EndDate != "" && !p.EndDate.Valid() {
		errs.Add("post.end_date", "is not a valid calendar date")
	}
	if p.EndDate != "" && p.StartDate.Valid() && p.EndDate < p.StartDate {
		errs.Add("post.end_date", "is before the start date")
	}
	if p.SIRET != "" && !frid.ValidSIRET(p.SIRET) {
		errs.Add("post.siret", fmt.Sprintf("%q is not a valid SIRET: 14 digits with a valid Luhn key", p.SIRET))
	}
	return errs.Err()
}

// checkPostReferences asks the directory about a post's network and host (each skipped when
// empty): the network must exist, the host must be a police or gendarmerie organisation.
func (s *Service) checkPostReferences(ctx context.Context, network, host string) error {
	if network != "" {
		if _, err := s.dir.NetworkEPCIs(ctx, network); err != nil {
			return directoryError(err, "post.network", "networks/"+network+" is not a network of the directory")
		}
	}
	if host != "" {
		kind, err := s.dir.OrganisationKind(ctx, host)
		if err != nil {
			return directoryError(err, "post.host_organisation", "organisations/"+host+" does not exist in the directory")
		}
		if !slices.Contains(hostKinds, kind) {
			return validation.Field("post.host_organisation", fmt.Sprintf("organisations/%s is of kind %s; an ISCG post is hosted by a police or gendarmerie organisation", host, kind))
		}
	}
	return nil
}

// UpdatePost changes the fields of mask. A new network or host is checked against the directory
// before the transaction, so a slow directory never holds a lock.
func (s *Service) UpdatePost(ctx context.Context, id string, patch domain.Post, mask []string, etag string) (*domain.Post, error) {
	var network, host string
	if slices.Contains(mask, "network") {
		network = patch.Network
	}
	if slices.Contains(mask, "host_organisation") {
		host = patch.HostOrganisation
	}
	if err := s.checkPostReferences(ctx, network, host); err != nil {
		return nil, err
	}
	// The post's life must still cover its plans. They are read before the transaction: a plan
	// created meanwhile was itself checked against the post's dates as they were.
	var years []int32
	if slices.Contains(mask, "start_date") || slices.Contains(mask, "end_date") {
		plans, _, err := s.repo.ListPlans(ctx, domain.Query{Filters: map[string]string{"post": id}})
		if err != nil {
			return nil, err
		}
		for _, pl := range plans {
			years = append(years, pl.Year)
		}
	}
	updated, err := s.repo.UpdatePost(ctx, id, func(p *domain.Post) (*domain.Event, error) {
		if err := domain.CheckEtag(etag, p.Etag()); err != nil {
			return nil, err
		}
		for _, f := range mask {
			switch f {
			case "display_name":
				p.DisplayName = patch.DisplayName
			case "network":
				p.Network = patch.Network
			case "host_organisation":
				p.HostOrganisation = patch.HostOrganisation
			case "fte_thousandths":
				p.FTEThousandths = patch.FTEThousandths
			case "start_date":
				p.StartDate = patch.StartDate
			case "end_date":
				p.EndDate = patch.EndDate
			case "siret":
				p.SIRET = patch.SIRET
			}
		}
		if err := validatePost(p); err != nil {
			return nil, err
		}
		if err := p.CheckLifeCovers(years); err != nil {
			return nil, err
		}
		p.Revision++
		p.UpdateTime = s.now()
		ev := s.newEvent(domain.PostUpdated)
		ev.Post, ev.UpdateMask = p, mask
		return ev, nil
	})
	if err != nil {
		return nil, fmt.Errorf("update posts/%s: %w", id, err)
	}
	return updated, nil
}

// GetPost returns one post.
func (s *Service) GetPost(ctx context.Context, id string) (*domain.Post, error) {
	p, err := s.repo.GetPost(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("posts/%s: %w", id, err)
	}
	return p, nil
}

// ListPosts returns one page of posts.
func (s *Service) ListPosts(ctx context.Context, q domain.Query) (Page[*domain.Post], error) {
	return page(q, func(q domain.Query) ([]*domain.Post, int, error) { return s.repo.ListPosts(ctx, q) },
		func(p *domain.Post) string { return p.ID })
}
