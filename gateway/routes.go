package gateway

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// route is one HTTP binding of a gRPC method, read from its google.api.http option: what the
// gateway needs to judge a request before grpc-gateway decodes it.
type route struct {
	httpMethod string
	template   string // as runtime.Pattern.String() writes it: "/v1/{name=networks/*}"
	method     protoreflect.MethodDescriptor
	rpc        string // method's full name, see fullMethod
	body       string // "", "*" or the request field the body fills, e.g. "organisation"
}

// fullMethod is the gRPC method name the audit trail and the access log use, e.g.
// "/vif.directory.v1.DirectoryService/CreateOrganisation".
func (r *route) fullMethod() string { return r.rpc }

// isWrite reports whether the route changes something: every binding of the API that is not a
// GET does (creates, updates, deletes and custom write methods).
func (r *route) isWrite() bool { return r.httpMethod != http.MethodGet }

// routeTable finds the route of a request by its HTTP method and matched pattern.
type routeTable map[string]*route

func routeKey(httpMethod, template string) string { return httpMethod + " " + template }

func (t routeTable) lookup(httpMethod, template string) *route {
	return t[routeKey(httpMethod, template)]
}

// bareVariable is a path variable without a sub-pattern, "{parent}", which grpc-gateway's
// Pattern.String() writes "{parent=*}".
var bareVariable = regexp.MustCompile(`\{([^=}]+)\}`)

// newRouteTable reads the HTTP bindings of the named gRPC services from the descriptors linked
// into this binary (the same the generated handlers were made from).
func newRouteTable(services []string) (routeTable, error) {
	t := routeTable{}
	for _, name := range services {
		d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(name))
		if err != nil {
			return nil, fmt.Errorf("gateway: service %s: %w", name, err)
		}
		sd, ok := d.(protoreflect.ServiceDescriptor)
		if !ok {
			return nil, fmt.Errorf("gateway: %s is not a service", name)
		}
		methods := sd.Methods()
		for i := range methods.Len() {
			m := methods.Get(i)
			rule, _ := proto.GetExtension(m.Options(), annotations.E_Http).(*annotations.HttpRule)
			if rule == nil {
				continue
			}
			for _, r := range append([]*annotations.HttpRule{rule}, rule.GetAdditionalBindings()...) {
				rt := bindingOf(m, r)
				if rt == nil {
					continue
				}
				t[routeKey(rt.httpMethod, rt.template)] = rt
			}
		}
	}
	return t, nil
}

func bindingOf(m protoreflect.MethodDescriptor, r *annotations.HttpRule) *route {
	var method, tmpl string
	switch p := r.GetPattern().(type) {
	case *annotations.HttpRule_Get:
		method, tmpl = http.MethodGet, p.Get
	case *annotations.HttpRule_Post:
		method, tmpl = http.MethodPost, p.Post
	case *annotations.HttpRule_Put:
		method, tmpl = http.MethodPut, p.Put
	case *annotations.HttpRule_Patch:
		method, tmpl = http.MethodPatch, p.Patch
	case *annotations.HttpRule_Delete:
		method, tmpl = http.MethodDelete, p.Delete
	case *annotations.HttpRule_Custom:
		method, tmpl = strings.ToUpper(p.Custom.GetKind()), p.Custom.GetPath()
	default:
		return nil
	}
	return &route{
		httpMethod: method,
		template:   bareVariable.ReplaceAllString(tmpl, "{$1=*}"),
		method:     m,
		rpc:        "/" + string(m.Parent().FullName()) + "/" + string(m.Name()),
		body:       r.GetBody(),
	}
}

// fieldByPath resolves a dotted path of proto field names ("organisation.name") in md.
func fieldByPath(md protoreflect.MessageDescriptor, path string) []protoreflect.FieldDescriptor {
	var fields []protoreflect.FieldDescriptor
	for _, seg := range strings.Split(path, ".") {
		if md == nil {
			return nil
		}
		f := md.Fields().ByName(protoreflect.Name(seg))
		if f == nil {
			return nil
		}
		fields = append(fields, f)
		md = f.Message()
	}
	return fields
}

// jsonPath writes a path of fields with their JSON names, as a client writes them:
// "fundingPlan.name".
func jsonPath(fields []protoreflect.FieldDescriptor) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.JSONName()
	}
	return strings.Join(names, ".")
}
