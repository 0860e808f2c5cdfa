package validation_test

import (
	"slices"
	"testing"

	"github.com/vif71/vif/platform/validation"
)

// TestRequire proves an empty value gives exactly one violation of its field with the message
// given, and a value given none.
func TestRequire(t *testing.T) {
	var errs validation.Error
	errs.Require("vehicle.make", "", "is required")
	errs.Require("vehicle.model", "Clio", "is required")
	errs.Require("vehicle.plate", "", "is required: AA-123-AA")
	want := []validation.Violation{
		{Field: "vehicle.make", Description: "is required"},
		{Field: "vehicle.plate", Description: "is required: AA-123-AA"},
	}
	if !slices.Equal(errs.Violations, want) {
		t.Errorf("Violations = %v; want %v", errs.Violations, want)
	}

	var none validation.Error
	none.Require("vehicle.model", "Clio", "is required")
	if err := none.Err(); err != nil {
		t.Errorf("Require(given value).Err() = %v; want nil", err)
	}
}
