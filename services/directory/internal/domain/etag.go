package domain

import "github.com/vif71/vif/platform/resource"

// etag is the opaque etag of a resource's revision (resource.Etag).
func etag(name string, revision int64) string { return resource.Etag(name, revision) }
