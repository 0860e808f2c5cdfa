// Package apierr maps errors to gRPC statuses once, at the edge: every status carries a
// google.rpc.ErrorInfo (reason, domain) and, for bad input, a google.rpc.BadRequest naming each
// field. Anything it does not recognise becomes Internal with a generic message and a log line,
// so no SQL text or stack leaks to a caller.
package apierr

import (
	"context"
	"errors"
	"log/slog"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vif71/vif/platform/validation"
)

// Domain is the ErrorInfo domain of every vif error.
const Domain = "vif.gouv.fr"

// Mapping turns a domain error (matched with errors.Is) into a code and an ErrorInfo reason.
type Mapping struct {
	Err    error
	Code   codes.Code
	Reason string // UPPER_SNAKE_CASE, stable: clients may switch on it
}

// New returns a status error with an ErrorInfo detail.
func New(code codes.Code, reason, msg string) error {
	st := status.New(code, msg)
	if withInfo, err := st.WithDetails(&errdetails.ErrorInfo{Reason: reason, Domain: Domain}); err == nil {
		st = withInfo
	}
	return st.Err()
}

// InvalidArgument returns an InvalidArgument status listing the violations as field violations.
func InvalidArgument(msg string, violations []validation.Violation) error {
	br := &errdetails.BadRequest{}
	for _, v := range violations {
		br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{
			Field:       v.Field,
			Description: v.Description,
		})
	}
	st := status.New(codes.InvalidArgument, msg)
	if withDetails, err := st.WithDetails(&errdetails.ErrorInfo{Reason: "INVALID_ARGUMENT", Domain: Domain}, br); err == nil {
		st = withDetails
	}
	return st.Err()
}

// ToStatus maps err with table. Errors that already are statuses pass through unchanged.
func ToStatus(ctx context.Context, err error, table []Mapping, log *slog.Logger) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	var ve *validation.Error
	if errors.As(err, &ve) {
		return InvalidArgument(ve.Error(), ve.Violations)
	}
	for _, m := range table {
		if errors.Is(err, m.Err) {
			return New(m.Code, m.Reason, err.Error())
		}
	}
	switch {
	case errors.Is(err, context.Canceled):
		return New(codes.Canceled, "CANCELLED", "the request was cancelled")
	case errors.Is(err, context.DeadlineExceeded):
		return New(codes.DeadlineExceeded, "DEADLINE_EXCEEDED", "the request ran out of time")
	}
	log.ErrorContext(ctx, "internal error", "err", err)
	return New(codes.Internal, "INTERNAL", "internal error")
}

// UnaryServerInterceptor maps every handler error with table.
func UnaryServerInterceptor(table []Mapping, log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		resp, err := handler(ctx, req)
		if err != nil {
			return nil, ToStatus(ctx, err, table, log)
		}
		return resp, nil
	}
}
