package idempotency_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/idempotency"
)

// messageType builds a request message with the given string fields, as a service's proto does.
func messageType(t *testing.T, name string, fields ...string) protoreflect.MessageType {
	t.Helper()
	msg := &descriptorpb.DescriptorProto{Name: proto.String(name)}
	for i, f := range fields {
		msg.Field = append(msg.Field, &descriptorpb.FieldDescriptorProto{
			Name:     proto.String(f),
			JsonName: proto.String(f),
			Number:   proto.Int32(int32(i + 1)),
			Type:     descriptorpb.FieldDescriptorProto_TYPE_STRING.Enum(),
			Label:    descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(),
		})
	}
	fd, err := protodesc.NewFile(&descriptorpb.FileDescriptorProto{
		Name:        proto.String("test/" + name + ".proto"),
		Package:     proto.String("vif.test.v1"),
		Syntax:      proto.String("proto3"),
		MessageType: []*descriptorpb.DescriptorProto{msg},
	}, nil)
	if err != nil {
		t.Fatalf("build %s: %v", name, err)
	}
	return dynamicpb.NewMessageType(fd.Messages().Get(0))
}

func newMessage(mt protoreflect.MessageType, values map[string]string) proto.Message {
	m := mt.New()
	for k, v := range values {
		m.Set(m.Descriptor().Fields().ByName(protoreflect.Name(k)), protoreflect.ValueOfString(v))
	}
	return m.Interface()
}

// call runs the interceptor on req as method, with claims, and returns the key the handler saw.
func call(t *testing.T, claims *auth.Claims, method string, req proto.Message, handlerErr error) (idempotency.Key, bool, error) {
	t.Helper()
	ctx := context.Background()
	if claims != nil {
		ctx = auth.NewContext(ctx, claims)
	}
	var key idempotency.Key
	var ok bool
	_, err := idempotency.UnaryServerInterceptor()(ctx, req, &grpc.UnaryServerInfo{FullMethod: method},
		func(ctx context.Context, _ any) (any, error) {
			key, ok = idempotency.FromContext(ctx)
			return nil, handlerErr
		})
	return key, ok, err
}

func TestInterceptorScopesTheKey(t *testing.T) {
	create := messageType(t, "CreateThingRequest", "parent", "body", "request_id")
	onResource := messageType(t, "PayThingRequest", "name", "body", "request_id")
	topLevel := messageType(t, "MakeThingRequest", "body", "request_id")
	coordA := &auth.Claims{Role: auth.RoleCoordinator, Network: "louhannais"}
	coordA.Subject = "coordinator"
	coordB := &auth.Claims{Role: auth.RoleCoordinator, Network: "chalonnais"}
	coordB.Subject = "coordinator"

	const method = "/vif.test.v1.Things/CreateThing"
	req := newMessage(create, map[string]string{"parent": "networks/louhannais", "body": "14", "request_id": rid})
	k, ok, err := call(t, coordA, method, req, nil)
	if err != nil || !ok {
		t.Fatalf("interceptor(request with request_id) = key %v, %v; want a key", ok, err)
	}
	if k.Method != method || k.Parent != "networks/louhannais" || k.RequestID != rid || k.Caller != idempotency.CallerOf(coordA) || len(k.Fingerprint) != 32 {
		t.Errorf("key = %+v; want method %s, parent networks/louhannais, request_id %s, caller %q, a SHA-256", k, method, rid, idempotency.CallerOf(coordA))
	}

	// The CLI gives both coordinators the subject "coordinator": their networks tell them apart.
	if a, b := idempotency.CallerOf(coordA), idempotency.CallerOf(coordB); a == b {
		t.Errorf("CallerOf(coordinator of louhannais) = CallerOf(coordinator of chalonnais) = %q; want two callers", a)
	}

	same := newMessage(create, map[string]string{"request_id": rid, "body": "14", "parent": "networks/louhannais"})
	k2, _, _ := call(t, coordA, method, same, nil)
	other := newMessage(create, map[string]string{"parent": "networks/louhannais", "body": "15", "request_id": rid})
	k3, _, _ := call(t, coordA, method, other, nil)
	if !bytes.Equal(k.Fingerprint, k2.Fingerprint) || bytes.Equal(k.Fingerprint, k3.Fingerprint) {
		t.Errorf("fingerprints: same request %x vs %x (want equal), other body %x (want different)", k.Fingerprint, k2.Fingerprint, k3.Fingerprint)
	}

	pay := newMessage(onResource, map[string]string{"name": "agreements/a/contributions/etat", "request_id": rid})
	if k, ok, _ := call(t, coordA, "/vif.test.v1.Things/PayThing", pay, nil); !ok || k.Parent != "agreements/a/contributions/etat" {
		t.Errorf("key of a method on a resource = %+v, %v; want parent agreements/a/contributions/etat", k, ok)
	}
	top := newMessage(topLevel, map[string]string{"body": "x", "request_id": rid})
	if k, ok, _ := call(t, coordA, "/vif.test.v1.Things/MakeThing", top, nil); !ok || k.Parent != "" {
		t.Errorf("key of a top-level create = %+v, %v; want parent \"\"", k, ok)
	}
	none := newMessage(create, map[string]string{"parent": "networks/louhannais", "body": "14"})
	if k, ok, _ := call(t, coordA, method, none, nil); ok {
		t.Errorf("key of a request without request_id = %+v; want none", k)
	}
}

func TestInterceptorAnswersReuseWithRequestIDReused(t *testing.T) {
	create := messageType(t, "CreateThingRequest", "parent", "body", "request_id")
	req := newMessage(create, map[string]string{"parent": "networks/louhannais", "body": "14", "request_id": rid})
	claims := &auth.Claims{Role: auth.RoleAdmin}
	claims.Subject = "admin"
	_, _, err := call(t, claims, "/vif.test.v1.Things/CreateThing", req,
		fmt.Errorf("store: %w", fmt.Errorf("wrapped: %w", idempotency.ErrRequestIDReused)))
	st := status.Convert(err)
	if st.Code() != codes.InvalidArgument {
		t.Fatalf("code = %v; want InvalidArgument", st.Code())
	}
	var reason, field string
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			reason = d.GetReason()
		case *errdetails.BadRequest:
			for _, v := range d.GetFieldViolations() {
				field = v.GetField()
			}
		}
	}
	if reason != idempotency.ReasonRequestIDReused || field != "request_id" {
		t.Errorf("details: reason %q, field %q; want %s, request_id", reason, field, idempotency.ReasonRequestIDReused)
	}
}
