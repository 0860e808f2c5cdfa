package auth

import (
	"context"
	"log/slog"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// auditor writes the audit trail: one Info line, message "audit", per denial and per call of
// a Write method. The line says who did what to which resource and how it ended; it never
// holds the token nor the request body, which may describe a victim.
type auditor struct {
	log *slog.Logger
}

// AuditRefused writes the audit line of a call refused before it reached its service, by a
// front end that judged its input itself (the REST gateway: a body that is not JSON, an unknown
// parameter), in the same shape as the services' lines. c is the caller the front end verified,
// nil for an anonymous caller or a refused token; resource is what the request named.
func AuditRefused(ctx context.Context, log *slog.Logger, c *Claims, method, resource string, code codes.Code, reason string) {
	auditor{log: log}.write(ctx, c, method, resource, code.String(), slog.String("reason", reason))
}

// denied records a call the interceptor refused.
func (a auditor) denied(ctx context.Context, c *Claims, method string, req any, d *denial) {
	a.write(ctx, c, method, resourceOf(req), d.code.String(), slog.String("reason", d.reason))
}

// called records a Write call after its handler ran, with the code of the handler's error.
// The resource of a write that succeeded is the name in its response, the one the service
// actually wrote (a create's name is chosen by the service, whatever the body said); only a
// failed write is described by its request.
func (a auditor) called(ctx context.Context, c *Claims, method string, req, resp any, err error) {
	outcome := "ok"
	resource := ""
	if err != nil {
		outcome = status.Code(err).String()
	} else {
		resource = nameOf(resp)
	}
	if resource == "" {
		resource = resourceOf(req)
	}
	a.write(ctx, c, method, resource, outcome)
}

func (a auditor) write(ctx context.Context, c *Claims, method, resource string, outcome string, extra ...slog.Attr) {
	who, role := "anonymous", ""
	if c != nil {
		who, role = c.Subject, string(c.Role)
	}
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs, slog.String("who", who), slog.String("role", role))
	if c != nil && c.Network != "" {
		attrs = append(attrs, slog.String("network", c.Network))
	}
	if c != nil && c.Organisation != "" {
		attrs = append(attrs, slog.String("organisation", c.Organisation))
	}
	attrs = append(attrs, slog.String("method", method), slog.String("outcome", outcome))
	if resource != "" {
		attrs = append(attrs, slog.String("resource", resource))
	}
	attrs = append(attrs, extra...)
	a.log.LogAttrs(ctx, slog.LevelInfo, "audit", attrs...)
}

// nameOf returns the name field of a message (a resource a write returned), or "".
func nameOf(msg any) string {
	m, ok := msg.(proto.Message)
	if !ok || m == nil || !m.ProtoReflect().IsValid() {
		return ""
	}
	return stringField(m.ProtoReflect(), "name")
}

// resourceOf returns the resource a request is about, following the AIP request shapes: a
// name (Get, Delete, a custom method), else the name of the resource an Update carries (a
// request with an update_mask, AIP-134), else the parent (Create, List). The resource embedded
// in any other request (a Create's) does not count: its name is the client's say, which the
// service ignores. It is best effort: any other request gives "".
func resourceOf(req any) string {
	msg, ok := req.(proto.Message)
	if !ok || msg == nil {
		return ""
	}
	m := msg.ProtoReflect()
	if !m.IsValid() {
		return ""
	}
	if name := stringField(m, "name"); name != "" {
		return name
	}
	fields := m.Descriptor().Fields()
	if fields.ByName("update_mask") != nil {
		for i := range fields.Len() {
			f := fields.Get(i)
			if f.Kind() != protoreflect.MessageKind || f.Cardinality() == protoreflect.Repeated || !m.Has(f) {
				continue
			}
			if name := stringField(m.Get(f).Message(), "name"); name != "" {
				return name
			}
		}
	}
	return stringField(m, "parent")
}

// stringField returns the value of m's singular string field called name, or "".
func stringField(m protoreflect.Message, name protoreflect.Name) string {
	f := m.Descriptor().Fields().ByName(name)
	if f == nil || f.Kind() != protoreflect.StringKind || f.Cardinality() == protoreflect.Repeated {
		return ""
	}
	return m.Get(f).String()
}
