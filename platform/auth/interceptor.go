package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// ErrorDomain is the ErrorInfo domain of the errors this package sends.
const ErrorDomain = "vif.gouv.fr"

// The ErrorInfo reasons of the errors this package sends; clients switch on them.
const (
	ReasonUnauthenticated   = "UNAUTHENTICATED"               // no usable bearer token
	ReasonTokenExpired      = "TOKEN_EXPIRED"                 // log in again
	ReasonTokenInvalid      = "TOKEN_INVALID"                 // the token is not one of ours
	ReasonRoleNotAllowed    = "ROLE_NOT_ALLOWED"              // authenticated, but not for this method
	ReasonMethodNotInPolicy = "METHOD_NOT_IN_POLICY"          // a bug: the service forgot a policy entry
	ReasonProviderDown      = "IDENTITY_PROVIDER_UNAVAILABLE" // the token's OpenID provider does not answer: retry
)

// denial is why a call was refused, before it becomes a status error and an audit line.
type denial struct {
	code   codes.Code
	reason string
	msg    string
}

func (d *denial) err(method string) error {
	st := status.New(d.code, d.msg)
	if withInfo, err := st.WithDetails(&errdetails.ErrorInfo{
		Reason:   d.reason,
		Domain:   ErrorDomain,
		Metadata: map[string]string{"method": method},
	}); err == nil {
		st = withInfo
	}
	return st.Err()
}

// UnaryServerInterceptor authenticates (metadata "authorization: Bearer <jwt>"), authorises
// by the policy, and audits: see Rule for what each entry means. The verified claims reach
// the handler through NewContext. Health and reflection are always public; any other method
// missing from the policy is denied, so a forgotten entry fails closed.
//
// It panics when v has no key: that is a wiring mistake, better found at start-up than by
// the first user.
func UnaryServerInterceptor(v Verifier, p Policy, log *slog.Logger) grpc.UnaryServerInterceptor {
	a := newAuthorizer(v, p, log)
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		claims, rule, d := a.check(ctx, info.FullMethod)
		if d != nil {
			a.audit.denied(ctx, claims, info.FullMethod, req, d)
			return nil, d.err(info.FullMethod)
		}
		if claims != nil {
			ctx = NewContext(ctx, claims)
		}
		resp, err := handler(ctx, req)
		if rule.Write {
			a.audit.called(ctx, claims, info.FullMethod, req, resp, err)
		}
		return resp, err
	}
}

// StreamServerInterceptor is UnaryServerInterceptor for streaming methods. A server that
// installs only the unary one leaves its streaming methods open to anyone; install both.
// The audit line of a streaming Write method has no resource: the request messages arrive
// after the decision.
func StreamServerInterceptor(v Verifier, p Policy, log *slog.Logger) grpc.StreamServerInterceptor {
	a := newAuthorizer(v, p, log)
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx := ss.Context()
		claims, rule, d := a.check(ctx, info.FullMethod)
		if d != nil {
			a.audit.denied(ctx, claims, info.FullMethod, nil, d)
			return d.err(info.FullMethod)
		}
		if claims != nil {
			ctx = NewContext(ctx, claims)
			ss = &claimsStream{ServerStream: ss, ctx: ctx}
		}
		err := handler(srv, ss)
		if rule.Write {
			a.audit.called(ctx, claims, info.FullMethod, nil, nil, err)
		}
		return err
	}
}

type claimsStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *claimsStream) Context() context.Context { return s.ctx }

type authorizer struct {
	verifier Verifier
	policy   Policy
	audit    auditor
}

func newAuthorizer(v Verifier, p Policy, log *slog.Logger) *authorizer {
	if err := v.checkKey(); err != nil {
		panic(err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &authorizer{verifier: v, policy: p, audit: auditor{log: log}}
}

// check decides whether the caller of method may go on. It returns the caller's verified
// claims (nil for an anonymous caller, or when the token was refused), the method's rule,
// and the denial when the call must stop.
func (a *authorizer) check(ctx context.Context, method string) (*Claims, Rule, *denial) {
	rule, ok := a.policy.rule(method)
	token, d := bearerToken(ctx)
	if !ok {
		// Denied whatever the token says; it is verified only so the audit line names who
		// ran into the gap.
		var claims *Claims
		if d == nil && token != "" {
			claims, _ = a.verifier.VerifyContext(ctx, token)
		}
		return claims, rule, &denial{codes.PermissionDenied, ReasonMethodNotInPolicy,
			fmt.Sprintf("method %s is not in the access policy", method)}
	}
	if d != nil {
		return nil, rule, d
	}
	var claims *Claims
	if token != "" {
		// Even on a public method: a caller who sends a bad token believes it is logged in,
		// and would rather learn otherwise now than get anonymous answers.
		c, err := a.verifier.VerifyContext(ctx, token)
		if err != nil {
			return nil, rule, tokenDenial(err)
		}
		claims = c
	}
	if rule.Public {
		return claims, rule, nil
	}
	if claims == nil {
		return nil, rule, &denial{codes.Unauthenticated, ReasonUnauthenticated, "missing bearer token"}
	}
	if len(rule.Roles) > 0 && !claims.HasRole(rule.Roles...) {
		return claims, rule, &denial{codes.PermissionDenied, ReasonRoleNotAllowed,
			fmt.Sprintf("role %s may not call %s", claims.Role, shortMethod(method))}
	}
	return claims, rule, nil
}

// bearerToken returns the token of the authorization metadata, or "" when there is none.
func bearerToken(ctx context.Context) (string, *denial) {
	// The one key, not FromIncomingContext: that copies every key and value of the call's metadata.
	values := metadata.ValueFromIncomingContext(ctx, "authorization")
	switch len(values) {
	case 0:
		return "", nil
	case 1:
	default:
		// Two headers mean a proxy and a client disagree about who is calling; picking one
		// would be a guess.
		return "", &denial{codes.Unauthenticated, ReasonUnauthenticated, "more than one authorization header"}
	}
	scheme, token, ok := strings.Cut(strings.TrimSpace(values[0]), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", &denial{codes.Unauthenticated, ReasonUnauthenticated,
			`authorization header must be "Bearer <token>"`}
	}
	return token, nil
}

func tokenDenial(err error) *denial {
	switch {
	case errors.Is(err, ErrTokenExpired):
		return &denial{codes.Unauthenticated, ReasonTokenExpired, ErrTokenExpired.Error()}
	case errors.Is(err, ErrTokenInvalid):
		return &denial{codes.Unauthenticated, ReasonTokenInvalid, err.Error()}
	case errors.Is(err, ErrVerifierUnavailable):
		return &denial{codes.Unavailable, ReasonProviderDown, ErrVerifierUnavailable.Error()}
	}
	// Not reached while the key is checked at construction; say nothing of the cause.
	return &denial{codes.Unauthenticated, ReasonTokenInvalid, ErrTokenInvalid.Error()}
}

// shortMethod turns "/vif.directory.v1.DirectoryService/CreateOrganisation" into
// "CreateOrganisation", the name a user sees in the client.
func shortMethod(method string) string {
	return method[strings.LastIndex(method, "/")+1:]
}
