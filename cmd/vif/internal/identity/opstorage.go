package identity

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Lifetimes of what the provider hands out.
const (
	// AccessTokenLifetime bounds how long a disabled account or a revoked client keeps access:
	// access tokens are checked by signature alone, so they live until they expire.
	AccessTokenLifetime = 10 * time.Minute
	// RefreshTokenLifetime is counted from the sign-in: after it, the person signs in again.
	RefreshTokenLifetime = 12 * time.Hour
	// authRequestLifetime is how long a person has to sign in once sent to the login page.
	authRequestLifetime = 15 * time.Minute
)

// The claims of vif's access tokens, which the services read through auth.ClaimMapping
// (ClaimMapping below).
const (
	claimRole         = "vif_role"
	claimNetwork      = "vif_network"
	claimOrganisation = "vif_organisation"
)

// opStorage is the op.Storage of the provider, on Store.
type opStorage struct {
	*Store
	log      *slog.Logger
	key      *signingKey
	audience string
	console  *consoleClient
}

var (
	_ op.Storage                        = (*opStorage)(nil)
	_ op.ClientCredentialsStorage       = (*opStorage)(nil)
	_ op.CanGetPrivateClaimsFromRequest = (*opStorage)(nil)
	_ op.CanSetUserinfoFromRequest      = (*opStorage)(nil)
)

// authRequest is an authorization request as the op package sees it.
type authRequest struct {
	ID       string
	Req      oidc.AuthRequest
	Account  string
	AuthTime time.Time
	audience string
}

func (a *authRequest) GetID() string         { return a.ID }
func (a *authRequest) GetACR() string        { return "" }
func (a *authRequest) GetAudience() []string { return []string{a.Req.ClientID, a.audience} }
func (a *authRequest) GetAuthTime() time.Time {
	return a.AuthTime
}
func (a *authRequest) GetClientID() string { return a.Req.ClientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.Req.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.Req.CodeChallenge, Method: a.Req.CodeChallengeMethod}
}
func (a *authRequest) GetNonce() string                   { return a.Req.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.Req.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return a.Req.ResponseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return a.Req.ResponseMode }
func (a *authRequest) GetScopes() []string                { return a.Req.Scopes }
func (a *authRequest) GetState() string                   { return a.Req.State }
func (a *authRequest) GetSubject() string                 { return a.Account }
func (a *authRequest) Done() bool                         { return a.Account != "" }
func (a *authRequest) GetAMR() []string {
	if a.Done() {
		return []string{"pwd"}
	}
	return nil
}

// CreateAuthRequest keeps a request the op package has validated. PKCE with S256 is required:
// the console is a public client, and plain PKCE would hand the verifier to whoever sees the
// request.
func (s *opStorage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if slices.Contains(req.Prompt, oidc.PromptNone) {
		return nil, oidc.ErrLoginRequired()
	}
	if req.CodeChallenge == "" || req.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE is required, with code_challenge_method S256")
	}
	a := &authRequest{ID: rand.Text(), Req: *req, audience: s.audience}
	raw, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO auth_requests (id, request, created_at) VALUES (?, ?, ?)`, a.ID, string(raw), s.now().UTC().Format(time.RFC3339Nano))
	if err != nil {
		return nil, err
	}
	return a, nil
}

func (s *opStorage) loadAuthRequest(ctx context.Context, where string, arg string) (*authRequest, error) {
	var raw, created string
	var authTime sql.NullString
	a := &authRequest{audience: s.audience}
	err := s.db.QueryRowContext(ctx, `SELECT id, request, account, auth_time, created_at FROM auth_requests WHERE `+where+` = ?`, arg).
		Scan(&a.ID, &raw, &a.Account, &authTime, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errors.New("no such authorization request, or it has expired")
	}
	if err != nil {
		return nil, err
	}
	if t, _ := time.Parse(time.RFC3339Nano, created); s.now().Sub(t) > authRequestLifetime {
		return nil, errors.New("the authorization request has expired")
	}
	if authTime.Valid {
		a.AuthTime, _ = time.Parse(time.RFC3339Nano, authTime.String)
	}
	return a, json.Unmarshal([]byte(raw), &a.Req)
}

func (s *opStorage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	return s.loadAuthRequest(ctx, "id", id)
}

func (s *opStorage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	return s.loadAuthRequest(ctx, "code", code)
}

// signedIn marks the request as done by account.
func (s *opStorage) signedIn(ctx context.Context, id, account string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE auth_requests SET account = ?, auth_time = ? WHERE id = ? AND account = ''`, account, s.now().UTC().Format(time.RFC3339Nano), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errRequestDone
	}
	return nil
}

// errRequestDone: someone already signed in for this authorization request.
var errRequestDone = errors.New("the authorization request is already signed in")

func (s *opStorage) SaveAuthCode(ctx context.Context, id, code string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE auth_requests SET code = ? WHERE id = ?`, code, id)
	return err
}

// DeleteAuthRequest runs once the code is exchanged: a code is good for one exchange.
func (s *opStorage) DeleteAuthRequest(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM auth_requests WHERE id = ? OR created_at < ?`, id, s.now().Add(-authRequestLifetime).UTC().Format(time.RFC3339Nano))
	return err
}

// CreateAccessToken gives the id and expiry of an access token; the token is a JWT, verified by
// signature alone, so nothing is stored.
func (s *opStorage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	return rand.Text(), s.now().Add(AccessTokenLifetime), nil
}

// CreateAccessAndRefreshTokens issues a refresh token with the access token, or rotates one: the
// refresh token presented is marked used in the same transaction as its successor is written, so
// it works once.
func (s *opStorage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	var account, clientID, family string
	var authTime time.Time
	var amr []string
	switch r := req.(type) {
	case *authRequest:
		account, clientID, authTime, amr, family = r.Account, r.Req.ClientID, r.AuthTime, r.GetAMR(), rand.Text()
	case *refreshRequest:
		account, clientID, authTime, amr, family = r.account, r.clientID, r.authTime, r.amr, r.family
	default:
		return "", "", time.Time{}, fmt.Errorf("identity: no refresh token for a %T", req)
	}
	token := rand.Text() + rand.Text()
	scopes, _ := json.Marshal(req.GetScopes())
	audience, _ := json.Marshal(req.GetAudience())
	amrJSON, _ := json.Marshal(amr)
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		now := s.now().UTC().Format(time.RFC3339Nano)
		if current != "" {
			res, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL`, now, hashSecret(current))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return oidc.ErrInvalidGrant().WithDescription("the refresh token has already been used")
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM refresh_tokens WHERE expires_at < ?`, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO refresh_tokens (token_hash, id, family, account, client_id, scopes, audience, amr, auth_time, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			hashSecret(token), rand.Text(), family, account, clientID, string(scopes), string(audience), string(amrJSON),
			authTime.UTC().Format(time.RFC3339Nano), authTime.Add(RefreshTokenLifetime).UTC().Format(time.RFC3339Nano))
		return err
	})
	if err != nil {
		return "", "", time.Time{}, err
	}
	return rand.Text(), token, s.now().Add(AccessTokenLifetime), nil
}

// refreshRequest is a stored refresh token as the op package sees it.
type refreshRequest struct {
	id, family, account, clientID string
	scopes, audience, amr         []string
	authTime                      time.Time
}

func (r *refreshRequest) GetAMR() []string             { return r.amr }
func (r *refreshRequest) GetAudience() []string        { return r.audience }
func (r *refreshRequest) GetAuthTime() time.Time       { return r.authTime }
func (r *refreshRequest) GetClientID() string          { return r.clientID }
func (r *refreshRequest) GetScopes() []string          { return r.scopes }
func (r *refreshRequest) GetSubject() string           { return r.account }
func (r *refreshRequest) SetCurrentScopes(sc []string) { r.scopes = sc }

// TokenRequestByRefreshToken refuses the refresh token of a disabled account at once. A token
// already used means two holders (the person and whoever copied it): every token of that sign-in
// is revoked, and both must sign in again.
func (s *opStorage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	var r refreshRequest
	var scopes, audience, amr, authTime, expires string
	var used sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT t.id, t.family, t.used_at, t.account, t.client_id, t.scopes, t.audience, t.amr, t.auth_time, t.expires_at
		FROM refresh_tokens t JOIN accounts a ON a.email = t.account WHERE t.token_hash = ? AND a.disabled_at IS NULL`, hashSecret(token)).
		Scan(&r.id, &r.family, &used, &r.account, &r.clientID, &scopes, &audience, &amr, &authTime, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, oidc.ErrInvalidGrant().WithDescription("unknown or revoked refresh token")
	}
	if err != nil {
		return nil, err
	}
	if used.Valid {
		if _, err := s.db.ExecContext(ctx, `DELETE FROM refresh_tokens WHERE family = ?`, r.family); err != nil {
			return nil, err
		}
		s.log.InfoContext(ctx, "audit", "who", r.account, "method", "identity.Refresh", "outcome", "PermissionDenied", "reason", "REFRESH_TOKEN_REUSED", "client", r.clientID)
		return nil, oidc.ErrInvalidGrant().WithDescription("this refresh token was already used: the session is revoked, sign in again")
	}
	if exp, _ := time.Parse(time.RFC3339Nano, expires); !s.now().Before(exp) {
		return nil, oidc.ErrInvalidGrant().WithDescription("the refresh token has expired: sign in again")
	}
	r.authTime, _ = time.Parse(time.RFC3339Nano, authTime)
	_ = json.Unmarshal([]byte(scopes), &r.scopes)
	_ = json.Unmarshal([]byte(audience), &r.audience)
	_ = json.Unmarshal([]byte(amr), &r.amr)
	return &r, nil
}

// TerminateSession ends a person's sessions with a client (end_session).
func (s *opStorage) TerminateSession(ctx context.Context, account, clientID string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM refresh_tokens WHERE account = ? AND client_id = ?`, account, clientID)
	return err
}

func (s *opStorage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	var account, id string
	err := s.db.QueryRowContext(ctx, `SELECT account, id FROM refresh_tokens WHERE token_hash = ? AND client_id = ?`, hashSecret(token), clientID).Scan(&account, &id)
	if err != nil {
		return "", "", op.ErrInvalidRefreshToken
	}
	return account, id, nil
}

// RevokeToken deletes a refresh token (RFC 7009). An access token cannot be revoked: it is
// checked by signature and lives AccessTokenLifetime.
func (s *opStorage) RevokeToken(ctx context.Context, tokenOrID, _, clientID string) *oidc.Error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM refresh_tokens WHERE client_id = ? AND family IN
		(SELECT family FROM refresh_tokens WHERE token_hash = ? OR id = ?)`, clientID, hashSecret(tokenOrID), tokenOrID); err != nil {
		return oidc.ErrServerError()
	}
	return nil
}

func (s *opStorage) SigningKey(context.Context) (op.SigningKey, error) { return s.key, nil }

func (s *opStorage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *opStorage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{s.key}}, nil
}

func (s *opStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	if id == ConsoleClientID {
		return s.console, nil
	}
	c, err := s.activeClient(ctx, id)
	if err != nil {
		return nil, err
	}
	return serviceClient{c}, nil
}

func (s *opStorage) AuthorizeClientIDSecret(ctx context.Context, id, secret string) error {
	_, err := s.checkClient(ctx, id, secret)
	return err
}

func (s *opStorage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token: who signed in, no vif claims (an ID token is not
// an access token, and the services refuse it for want of a vif role).
func (s *opStorage) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	info.Subject = req.GetSubject()
	if slices.Contains(scopes, oidc.ScopeEmail) {
		info.Email = req.GetSubject()
	}
	return nil
}

func (s *opStorage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, _, subject, _ string) error {
	info.Subject = subject
	return nil
}

func (s *opStorage) SetIntrospectionFromToken(_ context.Context, r *oidc.IntrospectionResponse, _, subject, clientID string) error {
	r.Subject, r.ClientID = subject, clientID
	return nil
}

func (s *opStorage) GetPrivateClaimsFromScopes(ctx context.Context, subject, clientID string, _ []string) (map[string]any, error) {
	return s.claimsOf(ctx, subject, clientID)
}

// GetPrivateClaimsFromRequest puts vif's role and scope in every access token, read from the
// account or client as it is now: a disabled account or revoked client gets no new token.
func (s *opStorage) GetPrivateClaimsFromRequest(ctx context.Context, req op.TokenRequest, _ []string) (map[string]any, error) {
	clientID := ""
	if r, ok := req.(interface{ GetClientID() string }); ok {
		clientID = r.GetClientID()
	}
	return s.claimsOf(ctx, req.GetSubject(), clientID)
}

func (s *opStorage) claimsOf(ctx context.Context, subject, clientID string) (map[string]any, error) {
	var role, network, organisation string
	if clientID == "" || clientID == subject { // client credentials: the client is the subject
		c, err := s.activeClient(ctx, subject)
		if err != nil {
			return nil, oidc.ErrInvalidClient().WithDescription("client unknown or revoked")
		}
		role, network, organisation = c.Role, c.Network, c.Organisation
	} else {
		a, _, err := s.account(ctx, subject)
		if err != nil {
			return nil, oidc.ErrInvalidGrant().WithDescription("account unknown or disabled")
		}
		role, network, organisation = a.Role, a.Network, a.Organisation
	}
	claims := map[string]any{claimRole: role}
	if network != "" {
		claims[claimNetwork] = network
	}
	if organisation != "" {
		claims[claimOrganisation] = organisation
	}
	return claims, nil
}

func (s *opStorage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("JWT profile grants are not offered")
}

func (s *opStorage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("JWT profile grants are not offered")
}

func (s *opStorage) Health(ctx context.Context) error { return s.db.PingContext(ctx) }

// ClientCredentials authenticates an institutional system.
func (s *opStorage) ClientCredentials(ctx context.Context, id, secret string) (op.Client, error) {
	c, err := s.checkClient(ctx, id, secret)
	if err != nil {
		return nil, errors.New("unknown client, wrong secret or revoked client")
	}
	return serviceClient{c}, nil
}

func (s *opStorage) ClientCredentialsTokenRequest(_ context.Context, id string, scopes []string) (op.TokenRequest, error) {
	return &oidc.JWTTokenRequest{Subject: id, Audience: []string{s.audience}, Scopes: scopes}, nil
}

// ConsoleClientID is the client id of the web console: a public client (no secret) that must use
// the authorization code with PKCE.
const ConsoleClientID = "vif-console"

// consoleClient is the web console.
type consoleClient struct{ redirectURIs []string }

func (c *consoleClient) GetID() string                    { return ConsoleClientID }
func (c *consoleClient) RedirectURIs() []string           { return c.redirectURIs }
func (c *consoleClient) PostLogoutRedirectURIs() []string { return c.redirectURIs }
func (c *consoleClient) ApplicationType() op.ApplicationType {
	return op.ApplicationTypeUserAgent
}
func (c *consoleClient) AuthMethod() oidc.AuthMethod { return oidc.AuthMethodNone }
func (c *consoleClient) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *consoleClient) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
}
func (c *consoleClient) LoginURL(id string) string            { return loginPath + "?authRequestID=" + id }
func (c *consoleClient) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeJWT }
func (c *consoleClient) IDTokenLifetime() time.Duration       { return AccessTokenLifetime }
func (c *consoleClient) DevMode() bool                        { return isLoopback(c.redirectURIs) }
func (c *consoleClient) IsScopeAllowed(string) bool           { return false }
func (c *consoleClient) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c *consoleClient) ClockSkew() time.Duration             { return 0 }
func (c *consoleClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *consoleClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// isLoopback: the op package refuses http redirect URIs for a browser client unless in "dev
// mode"; the embedded default on this machine is served over http on the loopback.
func isLoopback(uris []string) bool {
	for _, u := range uris {
		if !strings.HasPrefix(u, "http://127.0.0.1") && !strings.HasPrefix(u, "http://localhost") && !strings.HasPrefix(u, "http://[::1]") {
			return false
		}
	}
	return true
}

// serviceClient is an institutional system: client credentials only.
type serviceClient struct{ Client }

func (c serviceClient) GetID() string                       { return c.ID }
func (c serviceClient) RedirectURIs() []string              { return nil }
func (c serviceClient) PostLogoutRedirectURIs() []string    { return nil }
func (c serviceClient) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c serviceClient) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c serviceClient) ResponseTypes() []oidc.ResponseType  { return nil }
func (c serviceClient) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeClientCredentials}
}
func (c serviceClient) LoginURL(string) string               { return "" }
func (c serviceClient) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeJWT }
func (c serviceClient) IDTokenLifetime() time.Duration       { return AccessTokenLifetime }
func (c serviceClient) DevMode() bool                        { return false }
func (c serviceClient) IsScopeAllowed(string) bool           { return false }
func (c serviceClient) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c serviceClient) ClockSkew() time.Duration             { return 0 }
func (c serviceClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c serviceClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
