// Package apierr maps errors to gRPC statuses once, at the edge: every status carries a
// google.rpc.ErrorInfo (reason, domain) and, for bad input, a google.rpc.BadRequest naming each
// field. A domain error declared with its kind and reason (platform/fault) gets the code of its
// kind (Code) and its reason, with the wrapped message. Anything it does not recognise becomes Internal with a generic message and a log line,
// so no SQL text or stack leaks to a caller. A database that cannot be reached
// (storage.ErrUnavailable) is Unavailable with a google.rpc.RetryInfo, and a call whose context
// ended is the context's code (DeadlineExceeded, Canceled): neither is ever Internal.
package apierr

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/vif71/vif/platform/fault"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/validation"
)

// Domain is the ErrorInfo domain of every vif error.
const Domain = "vif.gouv.fr"

// RetryDelay is the RetryInfo delay of an Unavailable error (the gateway's Retry-After): a
// database outage that outlasts it gets the same answer again, and one that ended lets the retry
// through.
const RetryDelay = time.Second

// ReasonDatabaseUnavailable is the ErrorInfo reason of a call that failed because its database
// could not be reached; the same request may be sent again later.
const ReasonDatabaseUnavailable = "DATABASE_UNAVAILABLE"

// Unavailable returns an Unavailable status with an ErrorInfo and a RetryInfo asking the caller
// to retry after delay.
func Unavailable(reason, msg string, delay time.Duration) error {
	st := status.New(codes.Unavailable, msg)
	if withDetails, err := st.WithDetails(
		&errdetails.ErrorInfo{Reason: reason, Domain: Domain},
		&errdetails.RetryInfo{RetryDelay: durationpb.New(delay)},
	); err == nil {
		st = withDetails
	}
	return st.Err()
}

// Mapping turns an error (matched with errors.Is) into a code and an ErrorInfo reason: for an
// error no domain declares (a domain's own are faults, which need no row).
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

// codes gives each fault kind its gRPC code.
var kindCodes = map[fault.Kind]codes.Code{
	fault.KindInvalidArgument:  codes.InvalidArgument,
	fault.KindNotFound:         codes.NotFound,
	fault.KindAlreadyExists:    codes.AlreadyExists,
	fault.KindPrecondition:     codes.FailedPrecondition,
	fault.KindPermissionDenied: codes.PermissionDenied,
	fault.KindAborted:          codes.Aborted,
	fault.KindUnavailable:      codes.Unavailable,
	fault.KindInternal:         codes.Internal,
}

// Code is the gRPC code of a fault kind (Internal for none).
func Code(k fault.Kind) codes.Code {
	if c, ok := kindCodes[k]; ok {
		return c
	}
	return codes.Internal
}

// ToStatus maps err: a validation error, then table, then the fault it wraps (platform/fault).
// Errors that already are statuses pass through unchanged.
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
	if f, ok := fault.Of(err); ok {
		return New(Code(f.Kind), f.Reason, err.Error())
	}
	// The caller's context ending explains the failure whatever words the driver chose for it
	// ("interrupted", "timeout: dial error", "transaction has already been committed or rolled
	// back").
	ended := ContextError(ctx)
	switch {
	case errors.Is(ended, context.DeadlineExceeded):
		return New(codes.DeadlineExceeded, "DEADLINE_EXCEEDED", "the request ran out of time")
	case ended != nil, errors.Is(err, context.Canceled):
		return New(codes.Canceled, "CANCELLED", "the request was cancelled")
	case errors.Is(err, context.DeadlineExceeded):
		return New(codes.DeadlineExceeded, "DEADLINE_EXCEEDED", "the request ran out of time")
	case errors.Is(storage.Classify(err), storage.ErrUnavailable):
		log.WarnContext(ctx, "database unavailable", "err", err)
		return Unavailable(ReasonDatabaseUnavailable, "the database is unavailable; retry later", RetryDelay)
	}
	log.ErrorContext(ctx, "internal error", "err", err)
	return New(codes.Internal, "INTERNAL", "internal error")
}

// ContextError is why ctx ended, as its client sees it, or nil while it runs. A gRPC client whose
// deadline passes resets the stream, which the server may read as a cancellation before its own
// copy of the deadline fires: that copy starts when the request arrives, so it is later than the
// client's by the request's transit. A context cancelled less than deadlineSlack before its
// deadline ended with DeadlineExceeded.
func ContextError(ctx context.Context) error {
	err := ctx.Err()
	if err == nil {
		return nil
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < deadlineSlack {
		return context.DeadlineExceeded
	}
	return err
}

// deadlineSlack bounds the transit of a request to the server: loopback or a data centre's
// network takes microseconds to milliseconds, a loaded machine tens of them. A client that
// cancels on purpose this close to its deadline is logged as having run out of time, which it
// nearly had.
const deadlineSlack = 250 * time.Millisecond

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
