package grpcserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"buf.build/go/protovalidate"
	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/vif71/vif/platform/apierr"
	"github.com/vif71/vif/platform/validation"
)

// recoverInterceptor turns a handler panic into Internal, so one bad request cannot take the
// process (and every other service hosted in it) down.
func recoverInterceptor(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if p := recover(); p != nil {
				log.ErrorContext(ctx, "panic in handler", "method", info.FullMethod, "panic", p, "stack", string(debug.Stack()))
				err = apierr.New(codes.Internal, "INTERNAL", "internal error")
			}
		}()
		return handler(ctx, req)
	}
}

// validateInterceptor enforces the protovalidate rules written in the protos, reporting every
// violated field.
func validateInterceptor(v protovalidate.Validator) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		msg, ok := req.(proto.Message)
		if !ok {
			return handler(ctx, req)
		}
		if err := v.Validate(msg); err != nil {
			var ve *protovalidate.ValidationError
			if !errors.As(err, &ve) {
				return nil, apierr.New(codes.Internal, "INTERNAL", "internal error")
			}
			violations := make([]validation.Violation, 0, len(ve.Violations))
			for _, viol := range ve.Violations {
				violations = append(violations, validation.Violation{
					Field:       protovalidate.FieldPathString(viol.Proto.GetField()),
					Description: viol.Proto.GetMessage(),
				})
			}
			return nil, apierr.InvalidArgument((&validation.Error{Violations: violations}).Error(), violations)
		}
		return handler(ctx, req)
	}
}

// newServerMetrics returns the standard gRPC server metrics of go-grpc-middleware's Prometheus
// provider, registered on reg: grpc_server_started_total, grpc_server_handled_total (with
// grpc_code), grpc_server_msg_received_total, grpc_server_msg_sent_total and the
// grpc_server_handling_seconds histogram, each labelled grpc_type, grpc_service and grpc_method,
// for unary calls and streams alike.
func newServerMetrics(reg prometheus.Registerer) (*grpcprom.ServerMetrics, error) {
	m := grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram(grpcprom.WithHistogramBuckets(prometheus.DefBuckets)))
	if err := reg.Register(m); err != nil {
		return nil, fmt.Errorf("grpcserver: gRPC server metrics: %w", err)
	}
	return m, nil
}

// logInterceptor logs one line per call. Health checks are logged at debug level: load balancers
// call them every few seconds. So is a call that came in process and succeeded: only this
// process's gateway calls in process (Server.InProcess), and its access line, with the same
// request id, already names the method and the outcome of the request; a call that failed keeps
// its line, with the service's code and duration. When the call's context ended before the handler returned, the
// client got the context's code (DeadlineExceeded, Canceled) whatever the handler says: that is
// what is logged and returned, and so what the metrics interceptor around it counts.
func logInterceptor(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		start := time.Now()
		resp, err := handler(ctx, req)
		if ctxErr := apierr.ContextError(ctx); ctxErr != nil {
			resp, err = nil, apierr.ToStatus(ctx, ctxErr, nil, log)
		}
		elapsed := time.Since(start)
		code := status.Code(err)
		level := slog.LevelInfo
		if strings.HasPrefix(info.FullMethod, "/grpc.health.") || (code == codes.OK && inProcessCall(ctx)) {
			level = slog.LevelDebug
		}
		log.Log(ctx, level, "rpc", "method", info.FullMethod, "code", code.String(), "duration_ms", float64(elapsed.Microseconds())/1000)
		return resp, err
	}
}
