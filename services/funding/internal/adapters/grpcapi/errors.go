package grpcapi

import "github.com/vif71/vif/platform/apierr"

// Errors maps the funding service's domain errors to gRPC codes and ErrorInfo reasons: the ones
// it maps are all the platform's shared ones (apierr.Resource).
var Errors = apierr.Resource()
