// Package eventbus holds what every service needs to reach the suite's event bus, NATS
// JetStream: the stream every event lands in, the CloudEvents header names events carry, an
// embedded server for the single-binary shape, and a client connection that survives outages.
//
// Events travel in CloudEvents binary content mode as the NATS protocol binding defines it (the
// binding's text on the spec's main branch, "1.0.3-wip"; its last release, 1.0.2, knew structured
// mode only): the protobuf payload is the message body and every event attribute is a header named
// "ce-" + the attribute, so a consumer can route on headers without decoding the body.
package eventbus

import (
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// StreamName is the one stream that keeps every event of the suite: a single stream gives one
// de-duplication window and one retention policy for all, and consumers filter by subject.
const StreamName = "VIF"

// SubjectAll matches every event subject, e.g. "vif.directory.v1.organisation.created".
const SubjectAll = "vif.>"

// CloudEvents binary-mode header names, and the content type of payloads.
const (
	HeaderSpecVersion     = "ce-specversion"
	HeaderType            = "ce-type"
	HeaderSource          = "ce-source"
	HeaderID              = "ce-id"
	HeaderTime            = "ce-time"
	HeaderSubject         = "ce-subject"
	HeaderDataSchema      = "ce-dataschema"
	HeaderDataContentType = "ce-datacontenttype"
	ContentTypeProtobuf   = "application/protobuf"
)

// DataSchemaPrefix starts every ce-dataschema: the protobuf type URL of the payload
// (google.protobuf.Any's form, type.googleapis.com/<full message name>) with the https scheme
// that form implies, so that the attribute is the absolute URI CloudEvents requires.
const DataSchemaPrefix = "https://type.googleapis.com/"

// DataSchema returns the ce-dataschema of a payload message, e.g.
// "https://type.googleapis.com/vif.fleet.v1.CessionChanged".
func DataSchema(name protoreflect.FullName) string {
	return DataSchemaPrefix + string(name)
}

// MessageName returns the full protobuf name a ce-dataschema names: what follows its last "/",
// as for a google.protobuf.Any type URL. It also accepts a bare name, what events published
// before the schema became a URI carried.
func MessageName(dataSchema string) protoreflect.FullName {
	return protoreflect.FullName(dataSchema[strings.LastIndexByte(dataSchema, '/')+1:])
}

// SpecVersion is the CloudEvents version the headers follow.
const SpecVersion = "1.0"
