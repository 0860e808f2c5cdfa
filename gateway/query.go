package gateway

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/grpc-ecosystem/grpc-gateway/v2/utilities"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
)

// mapKey is grpc-gateway's query syntax for a map entry, labels[key]=value.
var mapKey = regexp.MustCompile(`^(.*)\[(.*)\]$`)

// checkQuery judges the query parameters of a request to rt: each must name a field of the
// request (by its JSON or its proto name) that neither the path nor the body sets, and hold a
// value of its type. grpc-gateway ignores an unknown parameter without a word, so pagesize=2 or
// a misspelt filter would quietly give the default answer; here it is a 400 naming it.
func checkQuery(rt *route, values url.Values, pathParams map[string]string) []fieldViolation {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var bad []fieldViolation
	seen := map[string]string{}
	in := rt.method.Input()
	for _, key := range keys {
		vals := values[key]
		if !utf8.ValidString(key) {
			bad = append(bad, fieldViolation{key, "is not valid UTF-8"})
			continue
		}
		if rt.body == "*" {
			bad = append(bad, fieldViolation{key, "unknown query parameter: this method takes its input in the body"})
			continue
		}
		fieldKey := key
		if m := mapKey.FindStringSubmatch(key); m != nil {
			fieldKey = m[1]
		}
		fields := queryField(in, fieldKey)
		if fields == nil {
			bad = append(bad, fieldViolation{key, "unknown query parameter"})
			continue
		}
		last := fields[len(fields)-1]
		if fieldKey != key && !last.IsMap() {
			bad = append(bad, fieldViolation{key, "unknown query parameter"})
			continue
		}
		protoPath := protoNames(fields)
		if by := boundBy(protoPath, rt.body, pathParams); by != "" {
			bad = append(bad, fieldViolation{key, "cannot be a query parameter: the " + by + " sets it"})
			continue
		}
		if other, ok := seen[protoPath]; ok {
			bad = append(bad, fieldViolation{key, "is the same parameter as " + other + "; give it once"})
			continue
		}
		seen[protoPath] = key
		if slices.ContainsFunc(vals, func(v string) bool { return !utf8.ValidString(v) }) {
			bad = append(bad, fieldViolation{key, "is not valid UTF-8"})
			continue
		}
		if len(vals) > 1 && !last.IsList() {
			bad = append(bad, fieldViolation{key, "may be given once"})
			continue
		}
		msg := dynamicpb.NewMessage(in)
		if err := (&runtime.DefaultQueryParser{}).Parse(msg, url.Values{key: vals}, utilities.NewDoubleArray(nil)); err != nil {
			bad = append(bad, fieldViolation{key, expectation(last)})
		}
	}
	return bad
}

// queryField resolves a dotted query key in md, each part by its JSON or its proto name; every
// part but the last is a message (not a well-known one, which the query gives as one value),
// and the last is a value. It returns nil when the key names no such field.
func queryField(md protoreflect.MessageDescriptor, key string) []protoreflect.FieldDescriptor {
	parts := strings.Split(key, ".")
	fields := make([]protoreflect.FieldDescriptor, 0, len(parts))
	for i, p := range parts {
		if md == nil || isWellKnown(md) {
			return nil
		}
		f := md.Fields().ByJSONName(p)
		if f == nil {
			f = md.Fields().ByTextName(p)
		}
		if f == nil {
			return nil
		}
		fields = append(fields, f)
		isValue := f.Message() == nil || isWellKnown(f.Message()) || f.IsMap()
		if i == len(parts)-1 {
			if !isValue {
				return nil
			}
			break
		}
		if isValue || f.IsList() {
			return nil
		}
		md = f.Message()
	}
	return fields
}

func protoNames(fields []protoreflect.FieldDescriptor) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = string(f.Name())
	}
	return strings.Join(names, ".")
}

// boundBy says what else sets the field at protoPath: "path" or "body", or "".
func boundBy(protoPath, body string, pathParams map[string]string) string {
	within := func(p string) bool { return protoPath == p || strings.HasPrefix(protoPath, p+".") }
	if body != "" && body != "*" && within(body) {
		return "body"
	}
	for p := range pathParams {
		if within(p) {
			return "path"
		}
	}
	return ""
}
