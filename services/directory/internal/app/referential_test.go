package app_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/vif71/vif/services/directory/internal/app"
	"github.com/vif71/vif/services/directory/internal/domain"
	"github.com/vif71/vif/services/directory/internal/refdata"
)

func TestListNetworksReturnsTheThirteen(t *testing.T) {
	f := newFixture(t)
	page := f.svc.ListNetworks("", 100)
	if len(page.Items) != refdata.NetworkCount || page.Total != refdata.NetworkCount || page.NextAfter != "" {
		t.Errorf("ListNetworks(%q, 100) = %d items, total %d, next %q; want 13, 13, %q", "", len(page.Items), page.Total, page.NextAfter, "")
	}
	var ids []string
	after := ""
	for range 10 {
		page := f.svc.ListNetworks(after, 5)
		if page.Total != refdata.NetworkCount {
			t.Errorf("ListNetworks(%q, 5) total = %d; want %d", after, page.Total, refdata.NetworkCount)
		}
		for _, n := range page.Items {
			ids = append(ids, n.ID)
		}
		if after = page.NextAfter; after == "" {
			break
		}
	}
	var want []string
	for _, n := range f.ref.Networks {
		want = append(want, n.ID)
	}
	if !slices.Equal(ids, want) {
		t.Errorf("ListNetworks by 5 = %q; want %q", ids, want)
	}
}

func TestListCommunesPagesVisitEachCommuneOnce(t *testing.T) {
	f := newFixture(t)
	var codes []string
	after := ""
	for range 100 {
		page := f.svc.ListCommunes(app.CommuneQuery{}, after, 100)
		if page.Total != len(f.ref.Communes) {
			t.Errorf("ListCommunes(after %q, 100) total = %d; want %d", after, page.Total, len(f.ref.Communes))
		}
		if len(page.Items) > 100 {
			t.Errorf("ListCommunes(after %q, 100) = %d items; want at most 100", after, len(page.Items))
		}
		for _, c := range page.Items {
			codes = append(codes, c.Code)
		}
		if after = page.NextAfter; after == "" {
			break
		}
	}
	var want []string
	for _, c := range f.ref.Communes {
		want = append(want, c.Code)
	}
	if !slices.Equal(codes, want) {
		t.Errorf("ListCommunes by 100 visited %d communes; want each of the %d once, in code order", len(codes), len(want))
	}
}

func TestListCommunesOfANetworkAreItsCommunes(t *testing.T) {
	f := newFixture(t)
	for _, n := range f.ref.Networks {
		page := f.svc.ListCommunes(app.CommuneQuery{Network: n.ID}, "", 1000)
		var codes []string
		for _, c := range page.Items {
			codes = append(codes, c.Code)
		}
		if !slices.Equal(codes, n.Communes) || page.Total != len(n.Communes) {
			t.Errorf("ListCommunes(network %q) = %d communes, total %d; want the network's %d", n.ID, len(codes), page.Total, len(n.Communes))
		}
	}
}

func TestGetCommuneGivesItsNetwork(t *testing.T) {
	f := newFixture(t)
	c, err := f.svc.GetCommune("71076")
	if err != nil || c.Network != "chalonnais" || c.Name != "Chalon-sur-Saône" {
		t.Errorf("GetCommune(%q) = %+v, %v; want Chalon-sur-Saône in %q", "71076", c, err, "chalonnais")
	}
	if _, err := f.svc.GetCommune("99999"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("GetCommune(%q) = %v; want ErrNotFound", "99999", err)
	}
	if _, err := f.svc.GetNetwork("atlantis"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("GetNetwork(%q) = %v; want ErrNotFound", "atlantis", err)
	}
}
