package aip

import (
	"errors"
	"slices"
	"testing"

	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/vif71/vif/platform/validation"
)

func violatedField(err error) string {
	var ve *validation.Error
	if !errors.As(err, &ve) || len(ve.Violations) == 0 {
		return ""
	}
	return ve.Violations[0].Field
}

func TestID(t *testing.T) {
	if id, err := ID("posts/iscg-louhannais", "posts/", "name"); id != "iscg-louhannais" || err != nil {
		t.Errorf(`ID("posts/iscg-louhannais") = %q, %v; want "iscg-louhannais", nil`, id, err)
	}
	for _, bad := range []string{"posts/", "funders/x", "posts/a/b", "x"} {
		if _, err := ID(bad, "posts/", "name"); violatedField(err) != "name" {
			t.Errorf("ID(%q) = %v; want a violation on name", bad, err)
		}
	}
}

func TestChild(t *testing.T) {
	p, c, err := Child("agreements/a-2024/contributions/etat", "agreements", "contributions", "name")
	if p != "a-2024" || c != "etat" || err != nil {
		t.Errorf("Child = %q, %q, %v; want a-2024, etat, nil", p, c, err)
	}
	for _, bad := range []string{"agreements/a/payments/b", "agreements//contributions/b", "agreements/a/contributions", "x/a/contributions/b/c"} {
		if _, _, err := Child(bad, "agreements", "contributions", "name"); violatedField(err) != "name" {
			t.Errorf("Child(%q) = %v; want a violation on name", bad, err)
		}
	}
}

func TestParseListTiesTokensToTheQuery(t *testing.T) {
	first, err := ParseList("ListPosts", "", `network = "networks/x"`, "", 0, "network")
	if err != nil || first.Size != 50 {
		t.Fatalf("ParseList = %+v, %v; want the default size", first, err)
	}
	token := first.NextToken("p-3")
	next, err := ParseList("ListPosts", "", `network = "networks/x"`, token, 10, "network")
	if err != nil || next.After != "p-3" || next.Size != 10 {
		t.Errorf("ParseList(next token) = %+v, %v; want After p-3", next, err)
	}
	if _, err := ParseList("ListPosts", "", `network = "networks/y"`, token, 10, "network"); violatedField(err) != "page_token" {
		t.Errorf("token replayed with another filter = %v; want a violation on page_token", err)
	}
	if _, err := ParseList("ListPosts", "", `colour = "red"`, "", 10, "network"); violatedField(err) != "filter" {
		t.Errorf("unknown filter field = %v; want a violation on filter", err)
	}
	if first.NextToken("") != "" {
		t.Error(`NextToken("") is not empty: the last page must have no token`)
	}
}

func TestResolveMask(t *testing.T) {
	msg, _ := structpb.NewStruct(nil) // fields: "fields" only
	updatable := []string{"fields"}
	if got, err := ResolveMask(nil, msg, updatable); violatedField(err) != "update_mask" {
		t.Errorf("empty mask on an empty message = %v, %v; want nothing to update", got, err)
	}
	msg.Fields = map[string]*structpb.Value{"a": structpb.NewBoolValue(true)}
	if got, err := ResolveMask(nil, msg, updatable); err != nil || !slices.Equal(got, []string{"fields"}) {
		t.Errorf("implied mask = %v, %v; want [fields]", got, err)
	}
	if got, err := ResolveMask(&fieldmaskpb.FieldMask{Paths: []string{"*"}}, msg, updatable); err != nil || !slices.Equal(got, updatable) {
		t.Errorf(`mask "*" = %v, %v; want every updatable field`, got, err)
	}
	camel := []string{"annual_cost_cents", "state_share_bp"}
	if got, err := ResolveMask(&fieldmaskpb.FieldMask{Paths: []string{"annualCostCents", "state_share_bp"}}, msg, camel); err != nil || !slices.Equal(got, camel) {
		t.Errorf("lowerCamelCase mask = %v, %v; want %v", got, err, camel)
	}
	if _, err := ResolveMask(&fieldmaskpb.FieldMask{Paths: []string{"create_time"}}, msg, updatable); violatedField(err) != "update_mask" {
		t.Errorf("mask naming a field that cannot change = %v; want a violation on update_mask", err)
	}
}
