package aip

import "github.com/vif71/vif/platform/resource"

// Request is what every list request of the API gives (AIP-132, AIP-158, AIP-160).
type Request interface {
	GetFilter() string
	GetPageToken() string
	GetPageSize() int32
}

// Query is a filtered list request as a list use case takes it: the validated filter values, the
// key to resume after and the page size. A service's domain.Query has the same fields and
// converts from it.
type Query struct {
	Filters map[string]string
	After   string
	Limit   int
}

// Listed is one page of a list response: its items, how many match in all, and the token of the
// next page ("" on the last one).
type Listed[P any] struct {
	Items         []P
	TotalSize     int32
	NextPageToken string
}

// PageOf turns the page a list use case read for list into a response's page: its items converted
// with conv, its total and the token of the next page.
func PageOf[T, P any](list List, page resource.Page[T], conv func(T) P) Listed[P] {
	out := Listed[P]{TotalSize: int32(page.Total), NextPageToken: list.NextToken(page.NextAfter)}
	for _, item := range page.Items {
		out.Items = append(out.Items, conv(item))
	}
	return out
}

// ListFiltered serves a list method whose filter is filters: it parses req's filter and page token
// (which must belong to method and parent), reads the page of the validated values with read, and
// converts it with conv (PageOf).
func ListFiltered[T, P any](method, parent string, req Request, filters Filters, read func(Query) (resource.Page[T], error), conv func(T) P) (Listed[P], error) {
	list, err := ParseList(method, parent, req.GetFilter(), req.GetPageToken(), req.GetPageSize(), filters.Fields()...)
	if err != nil {
		return Listed[P]{}, err
	}
	values, err := filters.Values(list)
	if err != nil {
		return Listed[P]{}, err
	}
	page, err := read(Query{Filters: values, After: list.After, Limit: list.Size})
	if err != nil {
		return Listed[P]{}, err
	}
	return PageOf(list, page, conv), nil
}
