package aip

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/vif71/vif/platform/validation"
)

// Filter reads the value a List method's filter gives one field into what the store compares
// with, or refuses it with a violation of the field "filter" that says why.
type Filter func(string) (string, error)

// Filters are a List method's filter fields, each with its Filter.
type Filters map[string]Filter

// Fields returns the filter's field names, sorted, for ParseList.
func (f Filters) Fields() []string { return slices.Sorted(maps.Keys(f)) }

// Values reads each condition of list through its field's Filter, so that only validated values
// reach the store; every refused value is a violation of "filter".
func (f Filters) Values(list List) (map[string]string, error) {
	out := map[string]string{}
	var errs validation.Error
	for _, c := range list.Conds {
		v, err := f[c.Field](c.Value)
		if err != nil {
			errs.Add("filter", err.Error())
			continue
		}
		out[c.Field] = v
	}
	return out, errs.Err()
}

// IDOf reads a resource name of the form prefix + id ("organisations/x") as its id.
func IDOf(prefix string) Filter {
	return func(v string) (string, error) { return ID(v, prefix, "filter") }
}

// EnumOf reads an enum value, with or without prefix, as the bare value when valid accepts it.
func EnumOf(prefix string, valid func(string) bool) Filter {
	return func(v string) (string, error) {
		s := strings.TrimPrefix(v, prefix)
		if !valid(s) {
			return "", validation.Field("filter", "unknown value "+strconv.Quote(v))
		}
		return s, nil
	}
}

// OneOf is EnumOf with the valid values listed.
func OneOf(prefix string, allowed []string) Filter {
	return EnumOf(prefix, func(s string) bool { return slices.Contains(allowed, s) })
}

// Text reads any value as it is.
func Text(v string) (string, error) { return v, nil }
