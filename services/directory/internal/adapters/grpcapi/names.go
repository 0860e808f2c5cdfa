package grpcapi

import (
	"strings"

	"github.com/vif71/vif/platform/validation"
)

// The request's form was checked by protovalidate; these split names the rules already accept,
// and still refuse anything else so a missing rule cannot turn into a wrong lookup.

func lastSegment(name, prefix, field string) (string, error) {
	id, ok := strings.CutPrefix(name, prefix)
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", validation.Field(field, "must be "+prefix+"{id}, got "+quote(name))
	}
	return id, nil
}

func memberName(name, field string) (network, id string, err error) {
	parts := strings.Split(name, "/")
	if len(parts) != 4 || parts[0] != "networks" || parts[2] != "members" || parts[1] == "" || parts[3] == "" {
		return "", "", validation.Field(field, "must be networks/{network}/members/{member}, got "+quote(name))
	}
	return parts[1], parts[3], nil
}

func quote(s string) string { return `"` + s + `"` }
