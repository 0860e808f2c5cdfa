package grpcapi

import (
	"google.golang.org/grpc/codes"

	"github.com/vif71/vif/platform/apierr"
	"github.com/vif71/vif/platform/pagetoken"
	"github.com/vif71/vif/services/directory/internal/domain"
)

// Errors maps the directory's domain errors to gRPC codes and ErrorInfo reasons: the
// platform's shared rows (apierr.Resource), then its own.
var Errors = apierr.WithResource([]apierr.Mapping{
	{Err: domain.ErrHasMembers, Code: codes.FailedPrecondition, Reason: "HAS_MEMBERS"},
	{Err: domain.ErrOrganisationDeleted, Code: codes.FailedPrecondition, Reason: "ORGANISATION_DELETED"},
	{Err: domain.ErrOrganisationNotDeleted, Code: codes.FailedPrecondition, Reason: "ORGANISATION_NOT_DELETED"},
	{Err: pagetoken.ErrInvalid, Code: codes.InvalidArgument, Reason: "INVALID_PAGE_TOKEN"},
})
