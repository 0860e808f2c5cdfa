package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	validate "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"

	"github.com/vif71/vif/platform/auth"
)

// downloads are the methods that answer a file (google.api.HttpBody) rather than JSON, with the
// content type they send. A new download must be added here: complete fails on one it does not
// know, so the description never claims JSON for a file.
var downloads = map[protoreflect.FullName]string{
	"vif.funding.v1.FundingService.ExportAgreements": "text/csv",
}

const description = `The REST/JSON API of vif, the software of the domestic-violence (VIF) support networks of
Saône-et-Loire, its Caf, its Préfecture and its Département. Every operation is also a gRPC method
(see the protos); the gateway translates.

Conventions: JSON field names in lowerCamelCase; int64 values as strings; a field at its zero value is
left out. Writes and the reads of personal data need a bearer token (` + "`Authorization: Bearer <jwt>`" + `);
each operation says who may call it. Every error has the body ` + "`{\"error\": {code, status, message, details}}`" + `
where details hold a google.rpc.ErrorInfo (a stable ` + "`reason`" + `) and, for bad input, a
google.rpc.BadRequest naming each field.`

// complete adds to doc what protoc-gen-openapi cannot know. rpcs maps each operationId
// ("FundingService_ListAgreements") to its gRPC method; pol says who may call each method.
func complete(doc *openapi3.T, pol auth.Policy, rpcs map[string]protoreflect.MethodDescriptor) error {
	doc.Info = &openapi3.Info{Title: "vif", Version: "v1", Description: description}
	doc.Servers = openapi3.Servers{{URL: "/", Description: "The instance that serves this description."}}
	if doc.Components == nil {
		doc.Components = &openapi3.Components{}
	}
	c := doc.Components
	c.SecuritySchemes = openapi3.SecuritySchemes{"bearer": &openapi3.SecuritySchemeRef{Value: &openapi3.SecurityScheme{
		Type: "http", Scheme: "bearer", BearerFormat: "JWT",
		Description: "An access token from the instance's OpenID provider, or `vif token --role …` on the server.",
	}}}
	addErrorComponents(c)
	dates(c)

	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for verb, op := range item.Operations() {
			md, ok := rpcs[op.OperationID]
			if !ok {
				return fmt.Errorf("%s %s: operation %q is no gRPC method of a vif service", verb, path, op.OperationID)
			}
			full := "/" + string(md.Parent().FullName()) + "/" + string(md.Name())
			rule, ok := pol[full]
			if !ok {
				return fmt.Errorf("%s %s: %s is in no service's access policy", verb, path, full)
			}
			op.Summary = summary(op.Description)
			secure(op, rule)
			markRequired(op, md.Input())
			dropPathFieldsFromBody(c, md)
			if err := respond(op, md, rule, strings.Contains(path, "{")); err != nil {
				return fmt.Errorf("%s %s: %w", verb, path, err)
			}
			conditional(op, verb)
		}
	}
	// protoc-gen-openapi's error schema (google.rpc.Status) is not what the gateway sends.
	delete(c.Schemas, "google.rpc.Status")
	delete(c.Schemas, "google.protobuf.Any")
	return nil
}

// summary is the first sentence of a method's comment: "Lists agreements, ordered by name."
func summary(desc string) string {
	desc = strings.Join(strings.Fields(desc), " ")
	for i := 0; i < len(desc); i++ {
		if desc[i] == '.' && (i+1 == len(desc) || desc[i+1] == ' ') {
			return desc[:i+1]
		}
	}
	return desc
}

// secure sets the operation's security requirement and says who may call it.
func secure(op *openapi3.Operation, r auth.Rule) {
	bearer := openapi3.SecurityRequirement{"bearer": []string{}}
	var who string
	switch {
	case r.Public:
		// Anonymous, or with a token (which is verified, and may show more: raw figures).
		op.Security = &openapi3.SecurityRequirements{openapi3.SecurityRequirement{}, bearer}
		who = "Public: no token needed. A token, when sent, is verified."
	case len(r.Roles) == 0:
		op.Security = &openapi3.SecurityRequirements{bearer}
		who = "Needs a bearer token, of any role."
	default:
		op.Security = &openapi3.SecurityRequirements{bearer}
		roles := make([]string, len(r.Roles))
		for i, role := range r.Roles {
			roles[i] = string(role)
		}
		op.Extensions = map[string]any{"x-vif-roles": roles}
		who = "Needs a bearer token of role " + strings.Join(roles, ", ") + "."
	}
	op.Description = strings.TrimSpace(op.Description + "\n\n" + who)
}

// markRequired marks a query parameter required when the request field it fills (its first
// segment: startDate in startDate.year) is required by the proto's validation rules or field
// behaviour: the service refuses the call without it.
func markRequired(op *openapi3.Operation, req protoreflect.MessageDescriptor) {
	for _, p := range op.Parameters {
		if p.Value == nil || p.Value.In != openapi3.ParameterInQuery {
			continue
		}
		top, _, _ := strings.Cut(p.Value.Name, ".")
		if f := req.Fields().ByJSONName(top); f != nil && required(f) {
			p.Value.Required = true
		}
	}
}

// dropPathFieldsFromBody removes from a `body: "*"` request's schema the fields that the path
// gives (name in POST /v1/{name=agreements/*}:sign): the gateway takes them from the path, so the
// body need not, and should not, repeat them.
func dropPathFieldsFromBody(c *openapi3.Components, md protoreflect.MethodDescriptor) {
	rule, _ := proto.GetExtension(md.Options(), annotations.E_Http).(*annotations.HttpRule)
	if rule.GetBody() != "*" {
		return
	}
	schema := c.Schemas[string(md.Input().FullName())]
	if schema == nil || schema.Value == nil {
		return
	}
	for _, field := range pathFields(rule) {
		if f := md.Input().Fields().ByName(protoreflect.Name(field)); f != nil {
			delete(schema.Value.Properties, f.JSONName())
			schema.Value.Required = slices.DeleteFunc(schema.Value.Required, func(r string) bool { return r == f.JSONName() })
		}
	}
}

// pathFields are the top-level request fields named by the variables of a rule's path template:
// "/v1/{name=agreements/*}:sign" gives [name].
func pathFields(rule *annotations.HttpRule) []string {
	var path string
	switch p := rule.GetPattern().(type) {
	case *annotations.HttpRule_Get:
		path = p.Get
	case *annotations.HttpRule_Post:
		path = p.Post
	case *annotations.HttpRule_Patch:
		path = p.Patch
	case *annotations.HttpRule_Put:
		path = p.Put
	case *annotations.HttpRule_Delete:
		path = p.Delete
	}
	var fields []string
	for rest := path; ; {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			return fields
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return fields
		}
		v := rest[open+1 : open+end]
		v, _, _ = strings.Cut(v, "=")
		v, _, _ = strings.Cut(v, ".")
		fields = append(fields, v)
		rest = rest[open+end+1:]
	}
}

func required(f protoreflect.FieldDescriptor) bool {
	opts := f.Options()
	if opts == nil {
		return false
	}
	if rules, ok := proto.GetExtension(opts, validate.E_Field).(*validate.FieldRules); ok && rules.GetRequired() {
		return true
	}
	behaviours, _ := proto.GetExtension(opts, annotations.E_FieldBehavior).([]annotations.FieldBehavior)
	return slices.Contains(behaviours, annotations.FieldBehavior_REQUIRED)
}

// respond replaces protoc-gen-openapi's default error response by the gateway's errors, and
// gives a download its real content type.
func respond(op *openapi3.Operation, md protoreflect.MethodDescriptor, r auth.Rule, hasPathParams bool) error {
	if md.Output().FullName() == "google.api.HttpBody" {
		ct, ok := downloads[md.FullName()]
		if !ok {
			return fmt.Errorf("%s answers a file of unknown content type: add it to downloads", md.FullName())
		}
		ok200 := op.Responses.Value("200")
		if ok200 == nil || ok200.Value == nil {
			return fmt.Errorf("%s has no 200 response", md.FullName())
		}
		ok200.Value.Content = openapi3.Content{ct: &openapi3.MediaType{
			Schema: &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"string"}}},
		}}
	}
	op.Responses.Delete("default")
	add := func(code, name string) {
		op.Responses.Set(code, &openapi3.ResponseRef{Ref: "#/components/responses/" + name})
	}
	add("400", "BadRequest")
	add("401", "Unauthenticated")
	if !r.Public {
		add("403", "PermissionDenied")
	}
	if hasPathParams {
		add("404", "NotFound")
	}
	if r.Write {
		add("409", "Conflict")
	}
	add("503", "Unavailable")
	add("default", "Error")
	return nil
}

// dates fixes protoc-gen-openapi's google.type.Date: it describes one as an RFC 3339 string
// ("2024-02-01"), but the gateway speaks the proto3 JSON mapping, in which a Date is a message like
// any other: {"year": 2024, "month": 2, "day": 1}.
func dates(c *openapi3.Components) {
	int32Field := func(desc string) *openapi3.SchemaRef {
		return &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"integer"}, Format: "int32", Description: desc}}
	}
	c.Schemas["google.type.Date"] = &openapi3.SchemaRef{Value: &openapi3.Schema{
		Type:        &openapi3.Types{"object"},
		Description: "A calendar day (google.type.Date), e.g. {\"year\": 2024, \"month\": 2, \"day\": 1}.",
		Properties: openapi3.Schemas{
			"year":  int32Field("The year, e.g. 2024."),
			"month": int32Field("The month, 1 to 12."),
			"day":   int32Field("The day of the month, 1 to 31."),
		},
	}}
	var walk func(*openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Ref != "" || ref.Value == nil {
			return
		}
		s := ref.Value
		if s.Type.Is("string") && s.Format == "date" {
			*ref = openapi3.SchemaRef{Value: &openapi3.Schema{
				AllOf:       openapi3.SchemaRefs{{Ref: "#/components/schemas/google.type.Date"}},
				Description: s.Description, ReadOnly: s.ReadOnly,
			}}
			return
		}
		for _, p := range s.Properties {
			walk(p)
		}
		walk(s.Items)
	}
	for _, s := range c.Schemas {
		walk(s)
	}
}

// conditional describes HTTP's conditional requests where the gateway serves them: a read
// answers an ETag and honours If-None-Match (304); a PATCH or DELETE honours If-Match (412 when
// the resource changed since).
func conditional(op *openapi3.Operation, verb string) {
	header := func(name, desc string) *openapi3.ParameterRef {
		return &openapi3.ParameterRef{Value: &openapi3.Parameter{
			Name: name, In: openapi3.ParameterInHeader, Description: desc,
			Schema: &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"string"}}},
		}}
	}
	switch verb {
	case "GET":
		op.Parameters = append(op.Parameters, header("If-None-Match", "The ETag of an earlier answer: 304 Not Modified if it is still current."))
		op.Responses.Set("304", &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription("Not modified: the ETag given in If-None-Match is current.")})
		if ok := op.Responses.Value("200"); ok != nil && ok.Value != nil {
			ok.Value.Headers = openapi3.Headers{"ETag": &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
				Description: "The resource's etag (as in the body), or a validator of the answer.",
				Schema:      &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"string"}}},
			}}}}
		}
	case "PATCH", "DELETE":
		op.Parameters = append(op.Parameters, header("If-Match", "The resource's etag as read (the ETag header): the change happens only if it is still current, else 412."))
		op.Responses.Set("412", &openapi3.ResponseRef{Ref: "#/components/responses/PreconditionFailed"})
	}
}

// errorResponses are the error responses every operation refers to, by component name.
var errorResponses = []struct{ name, desc string }{
	{"BadRequest", "Bad input (INVALID_ARGUMENT): the details' BadRequest names each field, as the client wrote it."},
	{"Unauthenticated", "No usable bearer token (UNAUTHENTICATED): missing where needed, expired, or not one of ours."},
	{"PermissionDenied", "The token's role or scope may not do this (PERMISSION_DENIED)."},
	{"NotFound", "No such resource (NOT_FOUND), or no such route."},
	{"Conflict", "The resource exists already, its etag is stale, or its state forbids the change (ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED)."},
	{"PreconditionFailed", "The If-Match etag is not the resource's current one: read it again (ETAG_MISMATCH). A stale etag in the body is 409."},
	{"Unavailable", "A service or its database is down for a moment (UNAVAILABLE): retry, after Retry-After when given."},
	{"Error", "Any other error, in the same shape."},
}

func addErrorComponents(c *openapi3.Components) {
	str := func(desc string) *openapi3.SchemaRef {
		return &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"string"}, Description: desc}}
	}
	obj := func(desc string, required []string, props openapi3.Schemas) *openapi3.SchemaRef {
		return &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"object"}, Description: desc, Required: required, Properties: props}}
	}
	ref := func(name string) *openapi3.SchemaRef { return &openapi3.SchemaRef{Ref: "#/components/schemas/" + name} }
	if c.Schemas == nil {
		c.Schemas = openapi3.Schemas{}
	}
	c.Schemas["ErrorInfo"] = obj("Why the call failed, in a form a program can switch on.", []string{"@type", "reason", "domain"}, openapi3.Schemas{
		"@type":    str("type.googleapis.com/google.rpc.ErrorInfo"),
		"reason":   str("Stable UPPER_SNAKE_CASE reason, e.g. ETAG_MISMATCH, REQUEST_ID_REUSED."),
		"domain":   str("vif.gouv.fr"),
		"metadata": {Value: &openapi3.Schema{Type: &openapi3.Types{"object"}, AdditionalProperties: openapi3.AdditionalProperties{Schema: str("")}}},
	})
	c.Schemas["FieldViolation"] = obj("One bad field.", []string{"field", "description"}, openapi3.Schemas{
		"field":       str("The field's path as the client wrote it, e.g. displayName or startDate.year."),
		"description": str("What is wrong with it."),
	})
	c.Schemas["BadRequest"] = obj("The fields of a bad request.", []string{"@type", "fieldViolations"}, openapi3.Schemas{
		"@type":           str("type.googleapis.com/google.rpc.BadRequest"),
		"fieldViolations": {Value: &openapi3.Schema{Type: &openapi3.Types{"array"}, Items: ref("FieldViolation")}},
	})
	c.Schemas["RetryInfo"] = obj("When to retry an UNAVAILABLE call.", []string{"@type", "retryDelay"}, openapi3.Schemas{
		"@type":      str("type.googleapis.com/google.rpc.RetryInfo"),
		"retryDelay": str("A duration, e.g. 1s."),
	})
	c.Schemas["Error"] = obj("The body of every error.", []string{"error"}, openapi3.Schemas{
		"error": obj("", []string{"code", "status", "message"}, openapi3.Schemas{
			"code":    {Value: &openapi3.Schema{Type: &openapi3.Types{"integer"}, Description: "The HTTP status."}},
			"status":  str("The google.rpc.Code name, e.g. INVALID_ARGUMENT."),
			"message": str("For developers, in English."),
			"details": {Value: &openapi3.Schema{Type: &openapi3.Types{"array"}, Items: &openapi3.SchemaRef{Value: &openapi3.Schema{
				AnyOf: openapi3.SchemaRefs{ref("ErrorInfo"), ref("BadRequest"), ref("RetryInfo")},
			}}}},
		}),
	})
	if c.Responses == nil {
		c.Responses = openapi3.ResponseBodies{}
	}
	for _, e := range errorResponses {
		c.Responses[e.name] = &openapi3.ResponseRef{Value: openapi3.NewResponse().
			WithDescription(e.desc).
			WithContent(openapi3.NewContentWithJSONSchemaRef(ref("Error")))}
	}
}

// marshal writes doc as indented JSON with a final newline (kin-openapi sorts map keys, so the
// output is stable).
func marshal(doc *openapi3.T) ([]byte, error) {
	js, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, js, "", "  "); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
