package resource_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/validation"
)

func TestValidID(t *testing.T) {
	for _, tt := range []struct {
		id   string
		want bool
	}{
		{"cidff-71", true}, {"a", true}, {"0-x", true}, {string(make([]byte, 0)), false},
		{"-x", false}, {"Cidff", false}, {"a_b", false}, {"a/b", false},
		{"a123456789012345678901234567890123456789012345678901234567890bc", true},   // 63
		{"a123456789012345678901234567890123456789012345678901234567890bcd", false}, // 64
	} {
		if got := resource.ValidID(tt.id); got != tt.want {
			t.Errorf("ValidID(%q) = %v; want %v", tt.id, got, tt.want)
		}
	}
}

func TestEtag(t *testing.T) {
	a := resource.Etag("vehicles/clio", 1)
	if a != resource.Etag("vehicles/clio", 1) {
		t.Errorf("Etag is not stable: %s", a)
	}
	if a == resource.Etag("vehicles/clio", 2) || a == resource.Etag("vehicles/clio2", 1) {
		t.Errorf("Etag(vehicles/clio, 1) = %s equals another revision's or resource's", a)
	}
	// The first 8 bytes of SHA-256("vehicles/clio\x001") in hex, quoted: the etags clients hold
	// from before the move into the platform stay valid.
	if want := `"433a69aae9d53425"`; a != want {
		t.Errorf("Etag(vehicles/clio, 1) = %s; want %s", a, want)
	}
	if err := resource.CheckEtag("", a); err != nil {
		t.Errorf("CheckEtag(no etag) = %v; want nil", err)
	}
	if err := resource.CheckEtag(a, a); err != nil {
		t.Errorf("CheckEtag(current) = %v; want nil", err)
	}
	if err := resource.CheckEtag(resource.Etag("vehicles/clio", 0), a); !errors.Is(err, resource.ErrEtagMismatch) {
		t.Errorf("CheckEtag(stale) = %v; want ErrEtagMismatch", err)
	}
}

// TestMetaEtag proves an entity that embeds Meta gets the etag its name and revision always gave,
// so etags clients hold stay valid.
func TestMetaEtag(t *testing.T) {
	m := resource.Meta{Revision: 1}
	if got, want := m.Etag("vehicles/clio"), `"433a69aae9d53425"`; got != want {
		t.Errorf("Meta{Revision: 1}.Etag(vehicles/clio) = %s; want %s", got, want)
	}
}

func TestReadPage(t *testing.T) {
	items := []string{"a", "b", "c"}
	list := func(limit int) ([]string, int, error) { return items[:min(limit, len(items))], len(items), nil }
	key := func(s string) string { return s }
	for _, tt := range []struct {
		limit int
		want  resource.Page[string]
	}{
		{2, resource.Page[string]{Items: []string{"a", "b"}, Total: 3, NextAfter: "b"}},
		{3, resource.Page[string]{Items: []string{"a", "b", "c"}, Total: 3}},
		{0, resource.Page[string]{Items: []string{"a"}, Total: 3, NextAfter: "a"}}, // at least one
	} {
		got, err := resource.ReadPage(tt.limit, list, key)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("ReadPage(%d) = %+v, %v; want %+v", tt.limit, got, err, tt.want)
		}
	}
	boom := errors.New("boom")
	if _, err := resource.ReadPage(2, func(int) ([]string, int, error) { return nil, 0, boom }, key); !errors.Is(err, boom) {
		t.Errorf("ReadPage(failing list) = %v; want its error", err)
	}
}

func TestNewID(t *testing.T) {
	ids := func() string { return "01j" }
	id := ""
	if err := resource.NewID(&id, "c-", ids, "cession_id"); err != nil || id != "c-01j" {
		t.Errorf("NewID(none) = %q, %v; want c-01j, nil", id, err)
	}
	id = "chosen-1"
	if err := resource.NewID(&id, "c-", ids, "cession_id"); err != nil || id != "chosen-1" {
		t.Errorf("NewID(%q) = %q, %v; want it kept", "chosen-1", id, err)
	}
	id = "Not_Valid"
	var ve *validation.Error
	if err := resource.NewID(&id, "c-", ids, "cession_id"); !errors.As(err, &ve) || ve.Violations[0].Field != "cession_id" {
		t.Errorf("NewID(%q) = %v; want a violation of cession_id", "Not_Valid", err)
	}
}

// TestClockReadsAsTheDatabasesStore: the time a use case writes is what both databases give back,
// UTC to the microsecond.
func TestClockReadsAsTheDatabasesStore(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	now := time.Date(2026, 3, 1, 10, 0, 0, 123456789, paris)
	got := resource.Clock(func() time.Time { return now })()
	if want := time.Date(2026, 3, 1, 9, 0, 0, 123456000, time.UTC); got != want {
		t.Errorf("Clock(%v)() = %v; want %v", now, got, want)
	}
}
