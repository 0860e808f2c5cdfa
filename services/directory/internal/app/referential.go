package app

import "github.com/vif71/vif/platform/resource"

// The referential (networks, communes, EPCIs) is read-only data compiled into the binary: its
// queries read memory, not the database.

// CommuneQuery selects communes; empty fields do not filter.
type CommuneQuery struct {
	Network    string // network id
	EPCI       string // SIREN
	PostalCode string
}

// paginate pages through items sorted by key, keeping those match accepts (all when nil).
func paginate[T any](items []T, key func(T) string, match func(T) bool, after string, limit int) resource.Page[T] {
	var page resource.Page[T]
	for _, it := range items {
		if match != nil && !match(it) {
			continue
		}
		page.Total++
		if after != "" && key(it) <= after {
			continue
		}
		if len(page.Items) == limit {
			page.NextAfter = key(page.Items[limit-1])
			continue
		}
		page.Items = append(page.Items, it)
	}
	return page
}
