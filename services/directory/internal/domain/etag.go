package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// etag derives an opaque etag from a resource's name and revision: stable while the resource is
// unchanged, different after any change, and meaningless to a client that would try to forge
// the next one.
func etag(name string, revision int64) string {
	sum := sha256.Sum256([]byte(name + "\x00" + strconv.FormatInt(revision, 10)))
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}

// CheckEtag returns ErrEtagMismatch when given is set and differs from current.
func CheckEtag(given, current string) error {
	if given != "" && given != current {
		return ErrEtagMismatch
	}
	return nil
}
