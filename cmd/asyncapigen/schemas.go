package main

import (
	"regexp"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// schemaSet writes each message and enum a payload uses into components.schemas once, keyed by
// its full protobuf name, and refers to it.
type schemaSet struct{ doc *document }

func (s schemaSet) ref(md protoreflect.MessageDescriptor) *schema {
	if wk := wellKnown(md); wk != nil {
		return wk
	}
	key := string(md.FullName())
	if _, done := s.doc.Components.Schemas[key]; !done {
		obj := &schema{Type: "object", Description: comments(md.ParentFile(), md), Properties: map[string]*schema{}}
		s.doc.Components.Schemas[key] = obj // before the fields, so a recursive message ends
		fields := md.Fields()
		for i := range fields.Len() {
			f := fields.Get(i)
			fs := s.field(f)
			if c := comments(f.ParentFile(), f); c != "" && fs.Ref == "" {
				fs.Description = c
			}
			obj.Properties[f.JSONName()] = fs
		}
	}
	return &schema{Ref: "#/components/schemas/" + key}
}

func (s schemaSet) field(f protoreflect.FieldDescriptor) *schema {
	if f.IsMap() {
		return &schema{Type: "object", AdditionalProperties: s.scalar(f.MapValue())}
	}
	one := s.scalar(f)
	if f.IsList() {
		return &schema{Type: "array", Items: one}
	}
	return one
}

func (s schemaSet) scalar(f protoreflect.FieldDescriptor) *schema {
	switch f.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return s.ref(f.Message())
	case protoreflect.EnumKind:
		return s.enum(f.Enum())
	case protoreflect.BoolKind:
		return &schema{Type: "boolean"}
	case protoreflect.StringKind:
		return &schema{Type: "string"}
	case protoreflect.BytesKind:
		return &schema{Type: "string", Format: "byte"}
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return &schema{Type: "number"}
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind,
		protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		// protojson writes 64-bit integers as strings.
		return &schema{Type: "string", Format: "int64", Pattern: `^-?[0-9]+$`}
	default:
		return &schema{Type: "integer", Format: "int32"}
	}
}

func (s schemaSet) enum(ed protoreflect.EnumDescriptor) *schema {
	key := string(ed.FullName())
	if _, done := s.doc.Components.Schemas[key]; !done {
		values := ed.Values()
		names := make([]string, values.Len())
		for i := range values.Len() {
			names[i] = string(values.Get(i).Name())
		}
		s.doc.Components.Schemas[key] = &schema{Type: "string", Enum: names, Description: comments(ed.ParentFile(), ed)}
	}
	return &schema{Ref: "#/components/schemas/" + key}
}

// wellKnown gives the JSON form protojson uses for the well-known types.
func wellKnown(md protoreflect.MessageDescriptor) *schema {
	switch md.FullName() {
	case "google.protobuf.Timestamp":
		return &schema{Type: "string", Format: "date-time"}
	case "google.protobuf.Duration":
		return &schema{Type: "string", Pattern: `^-?[0-9]+(\.[0-9]+)?s$`}
	case "google.protobuf.FieldMask":
		return &schema{Type: "string", Description: "Field paths, lowerCamelCase, separated by commas."}
	case "google.protobuf.StringValue":
		return &schema{Type: "string"}
	case "google.protobuf.BoolValue":
		return &schema{Type: "boolean"}
	case "google.protobuf.Int32Value", "google.protobuf.UInt32Value":
		return &schema{Type: "integer"}
	case "google.protobuf.Int64Value", "google.protobuf.UInt64Value":
		return &schema{Type: "string", Format: "int64"}
	case "google.protobuf.DoubleValue", "google.protobuf.FloatValue":
		return &schema{Type: "number"}
	case "google.protobuf.Empty", "google.protobuf.Struct":
		return &schema{Type: "object"}
	}
	if strings.HasPrefix(string(md.FullName()), "google.protobuf.") {
		return &schema{}
	}
	return nil
}

func regexpQuote(s string) string { return regexp.QuoteMeta(s) }
