package auth

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/apipb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// TestAudit checks the audit lines: exactly one per denial and per Write call, none for a
// read that went through, with exactly the expected attributes.
func TestAudit(t *testing.T) {
	f := newFixture(t)
	line := func(attrs map[string]string) map[string]string {
		m := map[string]string{"level": "INFO", "msg": "audit"}
		maps.Copy(m, attrs)
		return m
	}
	tests := []struct {
		name   string
		method string
		auth   []string
		req    proto.Message
		want   []map[string]string
	}{
		// The service names what it creates: the resource is the name of the response.
		{"write that succeeded", mCreate, []string{f.bearer("coordinator")}, &apipb.Api{Name: "networks/chalonnais"},
			[]map[string]string{line(map[string]string{"who": "carole", "role": "coordinator", "network": "chalonnais",
				"method": mCreate, "outcome": "ok", "resource": createdName})}},
		{"write that failed", mCreate, []string{f.bearer("admin")}, &apipb.Api{},
			[]map[string]string{line(map[string]string{"who": "alice", "role": "admin",
				"method": mCreate, "outcome": "InvalidArgument"})}},
		{"denial: wrong role", mCreate, []string{f.bearer("reader")}, &apipb.Api{Name: "networks/chalonnais"},
			[]map[string]string{line(map[string]string{"who": "bob", "role": "reader", "method": mCreate,
				"outcome": "PermissionDenied", "reason": ReasonRoleNotAllowed, "resource": "networks/chalonnais"})}},
		{"denial: scoped caller", mRead, []string{f.bearer("funder")}, &wrapperspb.StringValue{},
			[]map[string]string{line(map[string]string{"who": "fanny", "role": "funder", "organisation": "caf-71",
				"method": mRead, "outcome": "PermissionDenied", "reason": ReasonRoleNotAllowed})}},
		{"denial: no token", mRead, nil, &wrapperspb.StringValue{},
			[]map[string]string{line(map[string]string{"who": "anonymous", "role": "", "method": mRead,
				"outcome": "Unauthenticated", "reason": ReasonUnauthenticated})}},
		{"denial: expired token", mCreate, []string{f.bearer("expired")}, &apipb.Api{Name: "networks/chalonnais"},
			[]map[string]string{line(map[string]string{"who": "anonymous", "role": "", "method": mCreate,
				"outcome": "Unauthenticated", "reason": ReasonTokenExpired, "resource": "networks/chalonnais"})}},
		{"denial: method missing from the policy", mForgotten, []string{f.bearer("admin")}, &wrapperspb.StringValue{},
			[]map[string]string{line(map[string]string{"who": "alice", "role": "admin", "method": mForgotten,
				"outcome": "PermissionDenied", "reason": ReasonMethodNotInPolicy})}},
		{"read that went through", mRead, []string{f.bearer("reader")}, &wrapperspb.StringValue{}, nil},
		{"public read", mPublic, nil, &wrapperspb.StringValue{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.log.take()
			var resp proto.Message = &wrapperspb.StringValue{}
			if tt.method == mCreate {
				resp = &apipb.Api{}
			}
			_ = f.conn.Invoke(f.ctx(t, tt.auth...), tt.method, tt.req, resp)

			var got []map[string]string
			for l := range strings.Lines(f.log.take()) {
				var m map[string]any
				if err := json.Unmarshal([]byte(l), &m); err != nil {
					t.Fatalf("audit line %q is not JSON: %v", l, err)
				}
				delete(m, "time")
				s := make(map[string]string, len(m))
				for k, v := range m {
					str, ok := v.(string)
					if !ok {
						t.Errorf("audit line %q: %s = %v is not a string", l, k, v)
					}
					s[k] = str
				}
				got = append(got, s)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%s: %d audit lines %v; want %d %v", tt.method, len(got), got, len(tt.want), tt.want)
			}
			for i := range got {
				if !maps.Equal(got[i], tt.want[i]) {
					t.Errorf("%s: audit line = %v; want %v", tt.method, got[i], tt.want[i])
				}
			}
		})
	}
}

// testRequests builds, without generated code, the request shapes of the AIPs:
//
//	message Thing { string name = 1; }
//	message GetThingRequest { string name = 1; }
//	message CreateThingRequest { string parent = 1; Thing thing = 2; }
//	message UpdateThingRequest { Thing thing = 1; string update_mask = 2; }
//	message WeirdRequest { int32 name = 1; repeated Thing things = 2; }
func testRequests(t *testing.T) protoreflect.FileDescriptor {
	t.Helper()
	str := descriptorpb.FieldDescriptorProto_TYPE_STRING.Enum()
	msg := descriptorpb.FieldDescriptorProto_TYPE_MESSAGE.Enum()
	i32 := descriptorpb.FieldDescriptorProto_TYPE_INT32.Enum()
	opt := descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum()
	rep := descriptorpb.FieldDescriptorProto_LABEL_REPEATED.Enum()
	field := func(name string, n int32, typ *descriptorpb.FieldDescriptorProto_Type, label *descriptorpb.FieldDescriptorProto_Label, typeName string) *descriptorpb.FieldDescriptorProto {
		f := &descriptorpb.FieldDescriptorProto{Name: proto.String(name), Number: proto.Int32(n), Type: typ, Label: label, JsonName: proto.String(name)}
		if typeName != "" {
			f.TypeName = proto.String(typeName)
		}
		return f
	}
	fd, err := protodesc.NewFile(&descriptorpb.FileDescriptorProto{
		Name:    proto.String("authtest/requests.proto"),
		Package: proto.String("authtest"),
		Syntax:  proto.String("proto3"),
		MessageType: []*descriptorpb.DescriptorProto{
			{Name: proto.String("Thing"), Field: []*descriptorpb.FieldDescriptorProto{field("name", 1, str, opt, "")}},
			{Name: proto.String("GetThingRequest"), Field: []*descriptorpb.FieldDescriptorProto{field("name", 1, str, opt, "")}},
			{Name: proto.String("CreateThingRequest"), Field: []*descriptorpb.FieldDescriptorProto{
				field("parent", 1, str, opt, ""), field("thing", 2, msg, opt, ".authtest.Thing")}},
			{Name: proto.String("UpdateThingRequest"), Field: []*descriptorpb.FieldDescriptorProto{
				field("thing", 1, msg, opt, ".authtest.Thing"), field("update_mask", 2, str, opt, "")}},
			{Name: proto.String("WeirdRequest"), Field: []*descriptorpb.FieldDescriptorProto{
				field("name", 1, i32, opt, ""), field("things", 2, msg, rep, ".authtest.Thing")}},
		},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fd
}

func TestResourceOf(t *testing.T) {
	fd := testRequests(t)
	newMsg := func(name string, set map[string]any) proto.Message {
		m := dynamicpb.NewMessage(fd.Messages().ByName(protoreflect.Name(name)))
		for k, v := range set {
			f := m.Descriptor().Fields().ByName(protoreflect.Name(k))
			switch v := v.(type) {
			case string:
				m.Set(f, protoreflect.ValueOfString(v))
			case int32:
				m.Set(f, protoreflect.ValueOfInt32(v))
			case proto.Message:
				if f.IsList() {
					l := m.Mutable(f).List()
					l.Append(protoreflect.ValueOfMessage(v.ProtoReflect()))
				} else {
					m.Set(f, protoreflect.ValueOfMessage(v.ProtoReflect()))
				}
			}
		}
		return m
	}
	thing := func(name string) proto.Message { return newMsg("Thing", map[string]any{"name": name}) }
	tests := []struct {
		name string
		req  any
		want string
	}{
		{"get by name", newMsg("GetThingRequest", map[string]any{"name": "networks/chalonnais"}), "networks/chalonnais"},
		{"create under a parent", newMsg("CreateThingRequest", map[string]any{"parent": "networks/chalonnais"}), "networks/chalonnais"},
		{"update an embedded resource", newMsg("UpdateThingRequest", map[string]any{
			"thing": thing("networks/chalonnais/organisations/caf-71")}), "networks/chalonnais/organisations/caf-71"},
		// A create's body may name its resource at will: its parent is what the request says.
		{"create with a made-up name", newMsg("CreateThingRequest", map[string]any{
			"parent": "networks/chalonnais", "thing": thing("organisations/prefecture-71")}), "networks/chalonnais"},
		{"top-level create with a made-up name", newMsg("CreateThingRequest", map[string]any{
			"thing": thing("organisations/prefecture-71")}), ""},
		{"embedded resource without a name", newMsg("CreateThingRequest", map[string]any{
			"parent": "networks/chalonnais", "thing": thing("")}), "networks/chalonnais"},
		{"non-string name, repeated resources", newMsg("WeirdRequest", map[string]any{"name": int32(7), "things": thing("x")}), ""},
		{"empty request", newMsg("GetThingRequest", nil), ""},
		{"generated type", &apipb.Api{Name: "networks/maconnais"}, "networks/maconnais"},
		{"no name at all", wrapperspb.String("networks/chalonnais"), ""},
		{"nil message", (*apipb.Api)(nil), ""},
		{"not a message", "networks/chalonnais", ""},
		{"nil", nil, ""},
	}
	for _, tt := range tests {
		if got := resourceOf(tt.req); got != tt.want {
			t.Errorf("%s: resourceOf(%v) = %q; want %q", tt.name, tt.req, got, tt.want)
		}
	}
}

// TestAuditOutcomeOfPlainError checks that a handler error that is not a status still gets
// an outcome (gRPC sends it as Unknown), rather than "ok".
func TestAuditOutcomeOfPlainError(t *testing.T) {
	buf := &syncBuffer{}
	a := auditor{log: newJSONLogger(buf)}
	tests := []struct {
		err  error
		want string
	}{
		{nil, `"outcome":"ok"`},
		{status.Error(codes.NotFound, "no such network"), `"outcome":"NotFound"`},
		{errString("boom"), `"outcome":"Unknown"`},
	}
	for _, tt := range tests {
		a.called(t.Context(), &Claims{Role: RoleAdmin}, mCreate, nil, nil, tt.err)
		if got := buf.take(); !strings.Contains(got, tt.want) {
			t.Errorf("called(err %v) logged %q; want it to contain %s", tt.err, got, tt.want)
		}
	}
}

type errString string

func (e errString) Error() string { return string(e) }
