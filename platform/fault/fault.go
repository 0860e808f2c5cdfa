// Package fault lets a domain declare each of its errors with what kind of failure it is and the
// stable reason a client may switch on, without knowing about any transport: a domain declares
//
//	var ErrHasMembers = fault.Precondition("HAS_MEMBERS", "still has members: remove them first")
//
// and wraps it with the resource name where it returns it; the gRPC edge (platform/apierr) turns
// any error that wraps one into the status of its kind, with the reason as its ErrorInfo and the
// whole wrapped message as its message. Each call gives a distinct error, matched with errors.Is
// by identity, never by kind or reason.
package fault

import "errors"

// Kind is what kind of failure an error is: what the caller may do about it.
type Kind uint8

// The kinds. The zero Kind is none: an Error always has one of these.
const (
	// KindInvalidArgument: the request itself is wrong; sent again unchanged it fails again.
	KindInvalidArgument Kind = iota + 1
	// KindNotFound: the resource the request names does not exist.
	KindNotFound
	// KindAlreadyExists: the resource the request would create exists.
	KindAlreadyExists
	// KindPrecondition: the resource's state forbids the request (change the state first).
	KindPrecondition
	// KindPermissionDenied: the caller may not do this to this resource.
	KindPermissionDenied
	// KindAborted: the request lost a race with another; it may be sent again.
	KindAborted
	// KindUnavailable: something the request needs did not answer; it may be sent again later.
	KindUnavailable
	// KindInternal: the service cannot do what was asked, and says why in its reason.
	KindInternal
)

// Error is a domain error of a kind, with its reason.
type Error struct {
	Kind   Kind
	Reason string // UPPER_SNAKE_CASE, stable: clients may switch on it
	msg    string
}

// Error is the message the error was declared with.
func (e *Error) Error() string { return e.msg }

// New returns a new error of kind with reason and message msg.
func New(kind Kind, reason, msg string) error { return &Error{Kind: kind, Reason: reason, msg: msg} }

// InvalidArgument returns a new error of KindInvalidArgument. A rule that names the field at
// fault returns a validation error instead (platform/validation).
func InvalidArgument(reason, msg string) error { return New(KindInvalidArgument, reason, msg) }

// NotFound returns a new error of KindNotFound.
func NotFound(reason, msg string) error { return New(KindNotFound, reason, msg) }

// AlreadyExists returns a new error of KindAlreadyExists.
func AlreadyExists(reason, msg string) error { return New(KindAlreadyExists, reason, msg) }

// Precondition returns a new error of KindPrecondition.
func Precondition(reason, msg string) error { return New(KindPrecondition, reason, msg) }

// PermissionDenied returns a new error of KindPermissionDenied.
func PermissionDenied(reason, msg string) error { return New(KindPermissionDenied, reason, msg) }

// Aborted returns a new error of KindAborted.
func Aborted(reason, msg string) error { return New(KindAborted, reason, msg) }

// Unavailable returns a new error of KindUnavailable.
func Unavailable(reason, msg string) error { return New(KindUnavailable, reason, msg) }

// Internal returns a new error of KindInternal.
func Internal(reason, msg string) error { return New(KindInternal, reason, msg) }

// Of returns the first Error that err wraps (errors.As), and whether there is one.
func Of(err error) (*Error, bool) {
	var f *Error
	ok := errors.As(err, &f)
	return f, ok
}
