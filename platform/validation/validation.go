// Package validation carries business-rule violations from a service's domain to its API edge
// without the domain knowing about gRPC: the edge turns an *Error into InvalidArgument with one
// google.rpc.BadRequest field violation per entry.
package validation

import (
	"errors"
	"strings"
)

// Violation says what is wrong with one field. Field is the path in the request as the caller
// wrote it, e.g. "organisation.siret".
type Violation struct {
	Field       string
	Description string
}

// Error is a set of violations; it is returned only when it holds at least one.
type Error struct {
	Violations []Violation
}

// Error lists the violations as "field: description; …".
func (e *Error) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.Field + ": " + v.Description
	}
	return "invalid argument: " + strings.Join(parts, "; ")
}

// Add records a violation.
func (e *Error) Add(field, description string) {
	e.Violations = append(e.Violations, Violation{Field: field, Description: description})
}

// Require records a violation of field with description when value is empty, so that each
// required field of a request is checked in one line that says what the caller must give:
// errs.Require("vehicle.make", v.Make, "is required").
func (e *Error) Require(field, value, description string) {
	if value == "" {
		e.Add(field, description)
	}
}

// Err returns e when it holds violations, nil otherwise, so callers can collect every problem of
// a request and then return once.
func (e *Error) Err() error {
	if e == nil || len(e.Violations) == 0 {
		return nil
	}
	return e
}

// Field returns an error with a single violation.
func Field(field, description string) error {
	return &Error{Violations: []Violation{{Field: field, Description: description}}}
}

// Prefix returns err with every violation's field prefixed by prefix and a dot, for rules written
// for a resource and reported for the request that carries it ("siret" → "organisation.siret").
// Other errors are returned unchanged.
func Prefix(prefix string, err error) error {
	var ve *Error
	if !errors.As(err, &ve) {
		return err
	}
	out := &Error{Violations: make([]Violation, len(ve.Violations))}
	for i, v := range ve.Violations {
		out.Violations[i] = Violation{Field: prefix + "." + v.Field, Description: v.Description}
	}
	return out
}
