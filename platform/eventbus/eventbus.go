// Package eventbus holds what every service needs to reach the suite's event bus, NATS
// JetStream: the stream every event lands in, the CloudEvents header names events carry, an
// embedded server for the single-binary shape, and a client connection that survives outages.
//
// Events travel in CloudEvents binary mode: the protobuf payload is the message body and the
// event's attributes are headers, so a consumer can route on headers without decoding the body.
package eventbus

// StreamName is the one stream that keeps every event of the suite: a single stream gives one
// de-duplication window and one retention policy for all, and consumers filter by subject.
const StreamName = "VIF"

// SubjectAll matches every event subject, e.g. "vif.directory.v1.organisation.created".
const SubjectAll = "vif.>"

// CloudEvents binary-mode header names, and the content type of payloads.
const (
	HeaderSpecVersion   = "ce-specversion"
	HeaderType          = "ce-type"
	HeaderSource        = "ce-source"
	HeaderID            = "ce-id"
	HeaderTime          = "ce-time"
	HeaderDataSchema    = "ce-dataschema"
	HeaderContentType   = "content-type"
	ContentTypeProtobuf = "application/protobuf"
)

// SpecVersion is the CloudEvents version the headers follow.
const SpecVersion = "1.0"
