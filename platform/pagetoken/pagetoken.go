// Package pagetoken makes the opaque page tokens of List methods (AIP-158): a token carries the
// key to resume after and a checksum of the query it belongs to, so a token replayed with another
// filter or parent is rejected instead of returning a wrong page.
package pagetoken

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"strings"

	"github.com/vif71/vif/platform/fault"
)

// Page sizes: what 0 means, and the most one page returns (larger requests are clamped, not
// rejected, as AIP-158 asks).
const (
	DefaultSize = 50
	MaxSize     = 1000
)

// ErrInvalid means the token is malformed or belongs to another query (a List method reports it
// as a violation of page_token: platform/aip).
var ErrInvalid = fault.InvalidArgument("INVALID_PAGE_TOKEN", "page_token is invalid or does not match the query; start again without a token")

type payload struct {
	After string `json:"a"`
	Query uint64 `json:"q"`
}

// Size returns the page size to use for a requested one.
func Size(requested int32) int {
	switch {
	case requested <= 0:
		return DefaultSize
	case requested > MaxSize:
		return MaxSize
	default:
		return int(requested)
	}
}

// Query returns the checksum of the parts that define a list query (parent, filter, order…).
func Query(parts ...string) uint64 {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return binary.BigEndian.Uint64(sum[:8])
}

// Encode returns the token for the page after the item with key after.
func Encode(after string, query uint64) string {
	b, _ := json.Marshal(payload{After: after, Query: query})
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode returns the key to resume after; an empty token means the first page ("", nil).
func Decode(token string, query uint64) (string, error) {
	if token == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", ErrInvalid
	}
	var p payload
	if err := json.Unmarshal(b, &p); err != nil || p.After == "" || p.Query != query {
		return "", ErrInvalid
	}
	return p.After, nil
}
