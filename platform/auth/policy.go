package auth

import "strings"

// Rule says who may call one gRPC method.
type Rule struct {
	Public bool   // callable without a token (a valid token, when given, is still verified and its claims put in the context; an invalid one is still rejected)
	Roles  []Role // when not Public: the roles allowed (empty = any authenticated caller)
	Write  bool   // the method changes something: every call is written to the audit log
}

// Policy maps a full gRPC method name ("/vif.directory.v1.DirectoryService/GetNetwork") to
// its rule. A method missing from the policy is denied to everyone.
type Policy map[string]Rule

// infraPrefixes are the services every server exposes for its operators and tools: the
// kubelet probes health without a token, and grpcurl needs reflection to find anything.
var infraPrefixes = []string{
	"/grpc.health.v1.Health/",
	"/grpc.reflection.v1.ServerReflection/",
	"/grpc.reflection.v1alpha.ServerReflection/",
}

// rule returns the rule for method. Health and reflection are public whatever the policy
// says, so that no policy can take a server out of its load balancer.
func (p Policy) rule(method string) (Rule, bool) {
	for _, prefix := range infraPrefixes {
		if strings.HasPrefix(method, prefix) {
			return Rule{Public: true}, true
		}
	}
	r, ok := p[method]
	return r, ok
}
