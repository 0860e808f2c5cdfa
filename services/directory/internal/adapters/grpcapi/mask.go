package grpcapi

import (
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/vif71/vif/platform/validation"
)

// resolveMask turns an update request's field mask into the fields to change (AIP-134): an empty
// mask means the updatable fields set in msg, "*" means all of them (clearing those left empty),
// and any other path must name an updatable field.
func resolveMask(mask *fieldmaskpb.FieldMask, msg proto.Message, updatable []string) ([]string, error) {
	paths := mask.GetPaths()
	switch {
	case len(paths) == 0:
		m := msg.ProtoReflect()
		var implied []string
		for _, f := range updatable {
			if fd := m.Descriptor().Fields().ByName(protoreflect.Name(f)); fd != nil && m.Has(fd) {
				implied = append(implied, f)
			}
		}
		if len(implied) == 0 {
			return nil, validation.Field("update_mask", "nothing to update: set update_mask or some of "+strings.Join(updatable, ", "))
		}
		return implied, nil
	case len(paths) == 1 && paths[0] == "*":
		return slices.Clone(updatable), nil
	}
	var errs validation.Error
	var out []string
	for _, p := range paths {
		if !slices.Contains(updatable, p) {
			errs.Add("update_mask", quote(p)+" cannot be updated; updatable fields: "+strings.Join(updatable, ", "))
			continue
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out, errs.Err()
}
