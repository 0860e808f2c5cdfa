package auth

import (
	"context"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

func TestParseRole(t *testing.T) {
	tests := []struct {
		in      string
		want    Role
		wantErr bool
	}{
		{"admin", RoleAdmin, false},
		{"coordinator", RoleCoordinator, false},
		{"reader", RoleReader, false},
		{"finance", RoleFinance, false},
		{"fleet", RoleFleet, false},
		{"funder", RoleFunder, false},
		{"beneficiary", RoleBeneficiary, false},
		{"Admin", "", true},
		{"", "", true},
		{"root", "", true},
	}
	for _, tt := range tests {
		got, err := ParseRole(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseRole(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "admin, coordinator, reader") {
			t.Errorf("ParseRole(%q) error = %q; want it to name the accepted roles", tt.in, err)
		}
	}
}

func TestClaimsValidate(t *testing.T) {
	sub := jwt.RegisteredClaims{Subject: "u1"}
	tests := []struct {
		name    string
		c       Claims
		wantErr string // substring; "" means valid
	}{
		{"admin", Claims{Role: RoleAdmin, RegisteredClaims: sub}, ""},
		{"reader", Claims{Role: RoleReader, RegisteredClaims: sub}, ""},
		{"coordinator with network", Claims{Role: RoleCoordinator, Network: "chalonnais", RegisteredClaims: sub}, ""},
		{"coordinator without network", Claims{Role: RoleCoordinator, RegisteredClaims: sub}, "needs a network"},
		{"funder with organisation", Claims{Role: RoleFunder, Organisation: "caf-71", RegisteredClaims: sub}, ""},
		{"funder without organisation", Claims{Role: RoleFunder, RegisteredClaims: sub}, "needs an organisation"},
		{"beneficiary without organisation", Claims{Role: RoleBeneficiary, Network: "x", RegisteredClaims: sub}, "needs an organisation"},
		{"unknown role", Claims{Role: "root", RegisteredClaims: sub}, "unknown role"},
		{"no role", Claims{RegisteredClaims: sub}, "unknown role"},
		{"no subject", Claims{Role: RoleAdmin}, "subject"},
	}
	for _, tt := range tests {
		err := tt.c.Validate()
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%s: Validate() = %v; want error containing %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestHasRole(t *testing.T) {
	tests := []struct {
		c     *Claims
		roles []Role
		want  bool
	}{
		{&Claims{Role: RoleReader}, []Role{RoleReader}, true},
		{&Claims{Role: RoleReader}, []Role{RoleCoordinator, RoleReader}, true},
		{&Claims{Role: RoleReader}, []Role{RoleCoordinator}, false},
		{&Claims{Role: RoleReader}, nil, false},
		{&Claims{Role: RoleAdmin}, []Role{RoleFinance}, true},
		{nil, []Role{RoleReader}, false},
	}
	for _, tt := range tests {
		if got := tt.c.HasRole(tt.roles...); got != tt.want {
			t.Errorf("(%+v).HasRole(%v) = %v; want %v", tt.c, tt.roles, got, tt.want)
		}
	}
}

func TestContextRoundTrip(t *testing.T) {
	if c, ok := FromContext(context.Background()); ok || c != nil {
		t.Errorf("FromContext(empty) = %v, %v; want nil, false", c, ok)
	}
	want := &Claims{Role: RoleReader}
	if got, ok := FromContext(NewContext(context.Background(), want)); !ok || got != want {
		t.Errorf("FromContext(NewContext(c)) = %v, %v; want %v, true", got, ok, want)
	}
}
