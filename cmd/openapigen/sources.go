package main

import (
	"maps"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/vif71/vif/platform/auth"
	_ "github.com/vif71/vif/proto/gen/go/vif/directory/v1"  // registers the services' descriptors
	_ "github.com/vif71/vif/proto/gen/go/vif/fleet/v1"      //
	_ "github.com/vif71/vif/proto/gen/go/vif/funding/v1"    //
	_ "github.com/vif71/vif/proto/gen/go/vif/statistics/v1" //
	"github.com/vif71/vif/services/directory"
	"github.com/vif71/vif/services/fleet"
	"github.com/vif71/vif/services/funding"
	"github.com/vif71/vif/services/statistics"
)

// policies is every service's access policy, merged.
func policies() auth.Policy {
	p := auth.Policy{}
	for _, sp := range []auth.Policy{directory.Policy(), funding.Policy(), fleet.Policy(), statistics.Policy()} {
		maps.Copy(p, sp)
	}
	return p
}

// methods maps the operationId protoc-gen-openapi gives each method (Service_Method) to the
// method, for every service of a vif package.
func methods() map[string]protoreflect.MethodDescriptor {
	m := map[string]protoreflect.MethodDescriptor{}
	protoregistry.GlobalFiles.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		if !strings.HasPrefix(string(fd.Package()), "vif.") {
			return true
		}
		for i := range fd.Services().Len() {
			sd := fd.Services().Get(i)
			for j := range sd.Methods().Len() {
				md := sd.Methods().Get(j)
				m[string(sd.Name())+"_"+string(md.Name())] = md
			}
		}
		return true
	})
	return m
}
