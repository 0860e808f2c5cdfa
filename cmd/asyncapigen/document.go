package main

import (
	"github.com/vif71/vif/platform/eventbus"
)

// The parts of an AsyncAPI 3.1.0 document this generator writes, in the order they are written.
type document struct {
	AsyncAPI           string                `yaml:"asyncapi"`
	ID                 string                `yaml:"id"`
	Info               info                  `yaml:"info"`
	Servers            map[string]*server    `yaml:"servers"`
	DefaultContentType string                `yaml:"defaultContentType"`
	Channels           map[string]*channel   `yaml:"channels"`
	Operations         map[string]*operation `yaml:"operations"`
	Components         components            `yaml:"components"`
}

type info struct {
	Title        string        `yaml:"title"`
	Version      string        `yaml:"version"`
	Description  string        `yaml:"description"`
	ExternalDocs *externalDocs `yaml:"externalDocs,omitempty"`
}

type externalDocs struct {
	Description string `yaml:"description,omitempty"`
	URL         string `yaml:"url"`
}

type server struct {
	Host        string `yaml:"host"`
	Protocol    string `yaml:"protocol"`
	Description string `yaml:"description"`
}

type channel struct {
	Address     string          `yaml:"address"`
	Title       string          `yaml:"title"`
	Description string          `yaml:"description"`
	Messages    map[string]*ref `yaml:"messages"`
}

type operation struct {
	Action   string `yaml:"action"`
	Title    string `yaml:"title"`
	Channel  *ref   `yaml:"channel"`
	Messages []*ref `yaml:"messages"`
}

type ref struct {
	Ref string `yaml:"$ref"`
}

type components struct {
	Messages map[string]*message `yaml:"messages"`
	Schemas  map[string]*schema  `yaml:"schemas"`
}

type message struct {
	Name             string  `yaml:"name"`
	Title            string  `yaml:"title"`
	Summary          string  `yaml:"summary"`
	Description      string  `yaml:"description"`
	ContentType      string  `yaml:"contentType"`
	Headers          *schema `yaml:"headers"`
	Payload          *schema `yaml:"payload"`
	XProtobufMessage string  `yaml:"x-protobuf-message"`
	XDataSchema      string  `yaml:"x-dataschema"`
}

// schema is the JSON Schema subset the payloads need (AsyncAPI's default schema format).
type schema struct {
	Ref                  string             `yaml:"$ref,omitempty"`
	Type                 string             `yaml:"type,omitempty"`
	Format               string             `yaml:"format,omitempty"`
	Description          string             `yaml:"description,omitempty"`
	Const                string             `yaml:"const,omitempty"`
	Pattern              string             `yaml:"pattern,omitempty"`
	Enum                 []string           `yaml:"enum,omitempty"`
	Items                *schema            `yaml:"items,omitempty"`
	AdditionalProperties *schema            `yaml:"additionalProperties,omitempty"`
	Properties           map[string]*schema `yaml:"properties,omitempty"`
	Required             []string           `yaml:"required,omitempty"`
}

func newDocument() *document {
	return &document{
		AsyncAPI: "3.1.0",
		ID:       "urn:vif71:vif:events",
		Info: info{
			Title:   "vif events",
			Version: "v1",
			Description: "Every change made in vif, published on NATS JetStream (stream VIF, subjects vif.>) " +
				"from the outbox of the service that made it, in the same database transaction as the change. " +
				"Each message is a CloudEvents 1.0 event in the binary content mode of the NATS protocol binding: " +
				"the attributes are ce- headers, the body is the payload message in protobuf binary encoding " +
				"(ce-datacontenttype application/protobuf), named by ce-dataschema, its protobuf type URL. " +
				"The payload schemas below describe each message in its protobuf JSON mapping (protojson: " +
				"lowerCamelCase names, enums by name, 64-bit integers as strings), the form a generic reader " +
				"prints; the .proto files are the definition. Delivery is at least once: de-duplicate on ce-id.",
			ExternalDocs: &externalDocs{Description: "The event contract: stream, headers, delivery, payloads", URL: "https://github.com/vif71/vif/blob/main/docs/events.md"},
		},
		Servers: map[string]*server{
			"embedded": {Host: "127.0.0.1:4222", Protocol: "nats", Description: "The embedded default's NATS server (go run ./cmd/vif); subscribers authenticate with the reader nkey (vif events credentials)."},
		},
		DefaultContentType: eventbus.ContentTypeProtobuf,
		Channels:           map[string]*channel{},
		Operations:         map[string]*operation{},
		Components: components{
			Messages: map[string]*message{},
			Schemas:  map[string]*schema{"CloudEventsHeaders": cloudEventsHeaders()},
		},
	}
}

// cloudEventsHeaders are the NATS headers every event carries.
func cloudEventsHeaders() *schema {
	str := func(desc string) *schema { return &schema{Type: "string", Description: desc} }
	return &schema{
		Type:        "object",
		Description: "CloudEvents attributes as NATS headers (binary content mode of the NATS protocol binding), values percent-encoded as the binding says, plus JetStream's Nats-Msg-Id.",
		Properties: map[string]*schema{
			"Nats-Msg-Id":                  str("The event id, for JetStream's de-duplication window (2 minutes); the same as ce-id."),
			eventbus.HeaderSpecVersion:     {Type: "string", Const: eventbus.SpecVersion, Description: "CloudEvents version."},
			eventbus.HeaderID:              str("The event id, a ULID; unique per event, kept by every redelivery: de-duplicate on it."),
			eventbus.HeaderType:            {Type: "string", Pattern: `^vif\.[a-z]+\.v1\.[a-z_]+\.[a-z_]+$`, Description: "What happened: always the NATS subject."},
			eventbus.HeaderSource:          {Type: "string", Enum: []string{"/vif/directory", "/vif/funding", "/vif/fleet", "/vif/statistics"}, Description: "The service that made the change."},
			eventbus.HeaderSubject:         str("The resource name of what changed (AIP-122), e.g. cessions/c-2025-004."),
			eventbus.HeaderTime:            {Type: "string", Format: "date-time", Description: "When the change was made (RFC 3339, UTC, microseconds)."},
			eventbus.HeaderDataSchema:      {Type: "string", Format: "uri", Pattern: "^" + regexpQuote(eventbus.DataSchemaPrefix) + `vif\.`, Description: "The payload's protobuf type URL: " + eventbus.DataSchemaPrefix + "<full message name>."},
			eventbus.HeaderDataContentType: {Type: "string", Const: eventbus.ContentTypeProtobuf, Description: "The payload is protobuf binary."},
		},
		Required: []string{"Nats-Msg-Id", eventbus.HeaderSpecVersion, eventbus.HeaderID, eventbus.HeaderType, eventbus.HeaderSource, eventbus.HeaderSubject, eventbus.HeaderTime, eventbus.HeaderDataSchema, eventbus.HeaderDataContentType},
	}
}
