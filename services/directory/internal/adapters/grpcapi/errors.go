package grpcapi

import (
	"google.golang.org/grpc/codes"

	"github.com/vif71/vif/platform/apierr"
	"github.com/vif71/vif/platform/pagetoken"
	"github.com/vif71/vif/services/directory/internal/domain"
)

// Errors maps the directory's domain errors to gRPC codes and ErrorInfo reasons.
var Errors = []apierr.Mapping{
	{Err: domain.ErrNotFound, Code: codes.NotFound, Reason: "NOT_FOUND"},
	{Err: domain.ErrAlreadyExists, Code: codes.AlreadyExists, Reason: "ALREADY_EXISTS"},
	{Err: domain.ErrEtagMismatch, Code: codes.FailedPrecondition, Reason: "ETAG_MISMATCH"},
	{Err: domain.ErrHasMembers, Code: codes.FailedPrecondition, Reason: "HAS_MEMBERS"},
	{Err: domain.ErrOrganisationDeleted, Code: codes.FailedPrecondition, Reason: "ORGANISATION_DELETED"},
	{Err: domain.ErrOrganisationNotDeleted, Code: codes.FailedPrecondition, Reason: "ORGANISATION_NOT_DELETED"},
	{Err: domain.ErrPermissionDenied, Code: codes.PermissionDenied, Reason: "OUTSIDE_SCOPE"},
	{Err: pagetoken.ErrInvalid, Code: codes.InvalidArgument, Reason: "INVALID_PAGE_TOKEN"},
}
