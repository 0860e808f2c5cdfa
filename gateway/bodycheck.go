package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
)

// fieldViolation is a bad field of a request, named as the client wrote it.
type fieldViolation struct {
	field, description string
}

// checkBody walks a JSON body against the message it fills and returns its first bad field:
// a field the message does not have, a value of the wrong type, a string that is not UTF-8.
// prefix is the path of the body in the request ("organisation." when the body is the
// request's organisation field, "" when it is the whole request).
//
// protojson, which grpc-gateway decodes with, stops at the same errors, but its message
// ("proto: (line 1:16): invalid value for string field displayName: 5") names no path, carries
// no detail a client can switch on, and shows the library; so each value is judged here, by
// protojson itself, one field at a time, and the field named with its full path.
func checkBody(md protoreflect.MessageDescriptor, body []byte, prefix string) *fieldViolation {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil // an empty body is an empty message
	}
	return checkMessage(md, body, prefix)
}

// checkRouteBody is checkBody for the body of rt: the whole request (body "*") or one of its
// fields, named from the request ("organisation.displayName").
func checkRouteBody(rt *route, body []byte) *fieldViolation {
	in := rt.method.Input()
	if rt.body == "*" {
		return checkBody(in, body, "")
	}
	fields := fieldByPath(in, rt.body)
	if fields == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	f := fields[len(fields)-1]
	return checkField(f.ContainingMessage(), f, f.JSONName(), body, jsonPath(fields))
}

func checkMessage(md protoreflect.MessageDescriptor, raw []byte, prefix string) *fieldViolation {
	if isWellKnown(md) {
		return nil // judged as a value by the caller
	}
	if string(bytes.TrimSpace(raw)) == "null" {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return &fieldViolation{strings.TrimSuffix(prefix, "."), "must be a JSON object"}
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		val := obj[key]
		path := prefix + key
		f := md.Fields().ByJSONName(key)
		if f == nil {
			f = md.Fields().ByTextName(key) // protojson takes the proto name too
		}
		if f == nil {
			return &fieldViolation{path, "unknown field"}
		}
		if v := checkField(md, f, key, val, path); v != nil {
			return v
		}
	}
	return nil
}

func checkField(md protoreflect.MessageDescriptor, f protoreflect.FieldDescriptor, key string, val json.RawMessage, path string) *fieldViolation {
	isNull := string(bytes.TrimSpace(val)) == "null"
	switch {
	case f.IsMap():
	case f.IsList() && f.Message() != nil && !isWellKnown(f.Message()) && !isNull:
		var items []json.RawMessage
		if err := json.Unmarshal(val, &items); err != nil {
			return &fieldViolation{path, "must be an array of objects"}
		}
		for i, item := range items {
			if v := checkMessage(f.Message(), item, fmt.Sprintf("%s[%d].", path, i)); v != nil {
				return v
			}
		}
		return nil
	case !f.IsList() && f.Message() != nil && !isWellKnown(f.Message()):
		return checkMessage(f.Message(), val, path+".")
	}
	if !utf8.Valid(val) {
		return &fieldViolation{path, "is not valid UTF-8"}
	}
	// protojson judges the value alone, in a message of the same type where it is the only
	// field.
	one, _ := json.Marshal(map[string]json.RawMessage{key: val})
	if err := (protojson.UnmarshalOptions{}).Unmarshal(one, dynamicpb.NewMessage(md)); err != nil {
		return &fieldViolation{path, expectation(f)}
	}
	return nil
}

// isWellKnown reports whether a message has its own JSON form (a Timestamp is a string, a
// FieldMask a comma-separated string…) rather than an object of its fields.
func isWellKnown(md protoreflect.MessageDescriptor) bool {
	return md.ParentFile().Package() == "google.protobuf"
}

// expectation says what a field takes, in the words of the proto3 JSON mapping.
func expectation(f protoreflect.FieldDescriptor) string {
	if f.IsMap() {
		return "must be an object; each value " + one(f.MapValue())
	}
	if f.IsList() {
		return "must be an array; each item " + one(f)
	}
	return one(f)
}

func one(f protoreflect.FieldDescriptor) string {
	switch f.Kind() {
	case protoreflect.StringKind:
		return "must be a string"
	case protoreflect.BoolKind:
		return "must be true or false"
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return "must be an integer"
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind,
		protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return "must be an integer (a JSON number or a string of digits)"
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return "must be a number"
	case protoreflect.BytesKind:
		return "must be a base64 string"
	case protoreflect.EnumKind:
		return "must be one of " + strings.Join(enumNames(f.Enum()), ", ")
	case protoreflect.MessageKind, protoreflect.GroupKind:
		switch f.Message().FullName() {
		case "google.protobuf.Timestamp":
			return `must be an RFC 3339 timestamp, e.g. "2026-01-20T09:00:00Z"`
		case "google.protobuf.Duration":
			return `must be a duration in seconds, e.g. "3.5s"`
		case "google.protobuf.FieldMask":
			return `must be a comma-separated list of field names, e.g. "displayName,kind"`
		}
		if isWellKnown(f.Message()) {
			return "has a value of the wrong type for " + string(f.Message().Name())
		}
		return "must be a JSON object"
	}
	return "has a value of the wrong type"
}

func enumNames(ed protoreflect.EnumDescriptor) []string {
	vals := ed.Values()
	names := make([]string, 0, vals.Len())
	for i := range vals.Len() {
		names = append(names, string(vals.Get(i).Name()))
	}
	return names
}
