package gateway

import (
	"log/slog"
	"net/textproto"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/protobuf/encoding/protojson"
)

// jsonMarshaler is the one JSON dialect of the API, for every Content-Type and Accept:
//
//   - UseProtoNames false: lowerCamelCase names (displayName), the proto3 JSON mapping that the
//     AIPs and the generated OpenAPI document use.
//   - EmitUnpopulated false: a field at its zero value is left out, as protojson and Google APIs
//     do, so an empty etag or an unset time does not read as a real value. Clients read a missing
//     field as its zero value.
//   - DiscardUnknown false: a body with a field the API does not know is a 400 naming it, so a
//     typo (displayname, update_mask in a body) is not silently dropped.
//
// int64 fields are JSON strings, as proto3 JSON wants. HTTPBodyMarshaler only matters for a
// method that returns google.api.HttpBody (a file download), which it writes raw. fastJSON
// writes the answers protojson would, faster.
var jsonMarshaler = &runtime.HTTPBodyMarshaler{
	Marshaler: fastJSON{JSONPb: &runtime.JSONPb{
		MarshalOptions:   protojson.MarshalOptions{UseProtoNames: false, EmitUnpopulated: false},
		UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
	}},
}

// newMux builds the mux with the edge checks (see edge) run on every routed request.
func newMux(log *slog.Logger, e *edge) *runtime.ServeMux {
	mux := runtime.NewServeMux(
		runtime.WithMarshalerOption(runtime.MIMEWildcard, jsonMarshaler),
		runtime.WithMiddlewares(e.routed),
		runtime.WithErrorHandler(errorHandler(log, e.audit)),
		runtime.WithRoutingErrorHandler(routingErrorHandler),
		runtime.WithIncomingHeaderMatcher(incomingHeader),
		runtime.WithOutgoingHeaderMatcher(outgoingMetadata),
		runtime.WithOutgoingTrailerMatcher(outgoingMetadata),
		// The API is what the OpenAPI document says: a POST is never turned into a GET (the
		// form-encoded "path length fallback") nor into another method (X-HTTP-Method-Override).
		runtime.WithDisablePathLengthFallback(),
		runtime.WithDisableHTTPMethodOverride(),
		runtime.WithWriteContentLength(),
		runtime.WithForwardResponseOption(setETag),
	)
	e.mux, e.audit.mux = mux, mux
	return mux
}

// incomingHeader decides which request headers become gRPC metadata: X-Request-Id only, so a
// call can be followed across services. grpc-gateway itself always sends Authorization as
// "authorization" and the client address as "x-forwarded-for" (appended to any X-Forwarded-For
// the request had), whatever this returns. Its default, the IANA permanent headers as
// grpcgateway-* (Accept, User-Agent, Cookie, Authorization a second time...), is not kept: no
// service reads them, and each call would build and copy a dozen metadata entries for nothing.
func incomingHeader(key string) (string, bool) {
	if textproto.CanonicalMIMEHeaderKey(key) == "X-Request-Id" {
		return "x-request-id", true
	}
	return "", false
}

// outgoingMetadata keeps the services' response metadata out of the HTTP response: by default
// grpc-gateway copies all of it as Grpc-Metadata-* headers (content-type included), and it is
// internal. A service that wants an HTTP header (ETag, Location) gets it mapped here.
func outgoingMetadata(string) (string, bool) { return "", false }
