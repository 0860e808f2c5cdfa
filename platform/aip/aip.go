// Package aip holds the request conventions every vif API follows, after Google's AIPs: resource
// names (AIP-122), list pages and filters (AIP-132, 158, 160) and update masks (AIP-134), so that
// each service's gRPC adapter parses them the same way and reports the same field violations.
package aip

import (
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/vif71/vif/platform/filter"
	"github.com/vif71/vif/platform/pagetoken"
	"github.com/vif71/vif/platform/validation"
)

// ID returns the last segment of a name of the form prefix + id, e.g. ID("posts/x", "posts/",
// "name") = "x". The form was checked by protovalidate; this still refuses anything else, so a
// missing rule cannot turn into a wrong lookup.
func ID(name, prefix, field string) (string, error) {
	id, ok := strings.CutPrefix(name, prefix)
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", validation.Field(field, "must be "+prefix+"{id}, got "+quote(name))
	}
	return id, nil
}

// Child splits a name of the form parentCollection/{parent}/childCollection/{child}.
func Child(name, parentCollection, childCollection, field string) (parent, child string, err error) {
	parts := strings.Split(name, "/")
	if len(parts) != 4 || parts[0] != parentCollection || parts[2] != childCollection || parts[1] == "" || parts[3] == "" {
		return "", "", validation.Field(field, "must be "+parentCollection+"/{id}/"+childCollection+"/{id}, got "+quote(name))
	}
	return parts[1], parts[3], nil
}

// List is a parsed list request.
type List struct {
	After string             // the key to resume after ("" for the first page)
	Conds []filter.Condition // the filter's conditions
	Size  int                // the page size to use
	query uint64
}

// ParseList parses a list request's filter (accepting fields) and decodes its page token,
// which must belong to the same method, parent and filter.
func ParseList(method, parent, expr, token string, size int32, fields ...string) (List, error) {
	conds, err := filter.Parse(expr, fields...)
	if err != nil {
		return List{}, validation.Field("filter", err.Error())
	}
	q := pagetoken.Query(method, parent, expr)
	after, err := pagetoken.Decode(token, q)
	if err != nil {
		return List{}, validation.Field("page_token", err.Error())
	}
	return List{After: after, Conds: conds, Size: pagetoken.Size(size), query: q}, nil
}

// NextToken returns the token of the page after the key after ("" on the last page).
func (l List) NextToken(after string) string {
	if after == "" {
		return ""
	}
	return pagetoken.Encode(after, l.query)
}

// Value returns the value of field in the filter.
func (l List) Value(field string) (string, bool) { return filter.Value(l.Conds, field) }

// ResolveMask turns an update request's field mask into the fields to change: an empty mask means
// the updatable fields set in msg, "*" means all of them (clearing those left empty), and any
// other path must name an updatable field.
func ResolveMask(mask *fieldmaskpb.FieldMask, msg proto.Message, updatable []string) ([]string, error) {
	paths := mask.GetPaths()
	switch {
	case len(paths) == 0:
		m := msg.ProtoReflect()
		var implied []string
		for _, f := range updatable {
			fd := m.Descriptor().Fields().ByName(protoreflect.Name(f))
			if fd == nil {
				continue
			}
			if oneof := fd.ContainingOneof(); oneof != nil && !oneof.IsSynthetic() {
				if m.WhichOneof(oneof) != fd {
					continue
				}
			} else if !m.Has(fd) {
				continue
			}
			implied = append(implied, f)
		}
		if len(implied) == 0 {
			return nil, validation.Field("update_mask", "nothing to update: set update_mask or some of "+strings.Join(updatable, ", "))
		}
		return implied, nil
	case len(paths) == 1 && paths[0] == "*":
		return slices.Clone(updatable), nil
	}
	var errs validation.Error
	var out []string
	for _, p := range paths {
		p = snakeCase(p)
		if !slices.Contains(updatable, p) {
			errs.Add("update_mask", quote(p)+" cannot be updated; updatable fields: "+strings.Join(updatable, ", "))
			continue
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out, errs.Err()
}

func quote(s string) string { return `"` + s + `"` }

// snakeCase turns a lowerCamelCase path ("annualCostCents", as proto3 JSON writes field masks and
// as REST clients send them in ?updateMask=) into the proto field name ("annual_cost_cents").
func snakeCase(path string) string {
	var b strings.Builder
	for _, r := range path {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
