package auth

import (
	"context"
	"log/slog"

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

// denied records a call the interceptor refused.
func (a auditor) denied(ctx context.Context, c *Claims, method string, req any, d *denial) {
	a.write(ctx, c, method, req, d.code.String(), slog.String("reason", d.reason))
}

// called records a Write call after its handler ran, with the code of the handler's error.
func (a auditor) called(ctx context.Context, c *Claims, method string, req any, err error) {
	outcome := "ok"
	if err != nil {
		outcome = status.Code(err).String()
	}
	a.write(ctx, c, method, req, outcome)
}

func (a auditor) write(ctx context.Context, c *Claims, method string, req any, outcome string, extra ...slog.Attr) {
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
	if r := resourceOf(req); r != "" {
		attrs = append(attrs, slog.String("resource", r))
	}
	attrs = append(attrs, extra...)
	a.log.LogAttrs(ctx, slog.LevelInfo, "audit", attrs...)
}

// resourceOf returns the resource a request is about, following the AIP request shapes: a
// name (Get, Update by name, Delete), else the name of the embedded resource (Update), else
// the parent (Create, List). It is best effort: any other request gives "".
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
	for i := range fields.Len() {
		f := fields.Get(i)
		if f.Kind() != protoreflect.MessageKind || f.Cardinality() == protoreflect.Repeated || !m.Has(f) {
			continue
		}
		if name := stringField(m.Get(f).Message(), "name"); name != "" {
			return name
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
