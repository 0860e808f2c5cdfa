// Package idempotency makes a create safe to retry (AIP-155), once for every service: a
// request_id is a key scoped to the caller, the RPC and the parent it writes under, and it is
// bound to the request it first came with.
//
//   - The same key with the same request is a replay: the store returns what the first request
//     created, writes nothing and emits no event.
//   - The same key with another request (another amount, another name) is refused with
//     InvalidArgument, ErrorInfo reason REQUEST_ID_REUSED and a BadRequest violation on
//     request_id: the first answer would be a lie, and silently dropping the second body loses
//     a write.
//   - Another caller, another method or another parent with the same request_id is another key:
//     one coordinator can never receive what another created.
//
// The key and the request's fingerprint are computed once, at the gRPC edge
// (UnaryServerInterceptor), and travel in the context; a store calls Claim inside the
// transaction that writes the resource and its outbox event, so the key, the resource and the
// event commit together or not at all.
package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/vif71/vif/platform/auth"
)

//go:embed migrations
var migrations embed.FS

// Migrations holds the goose migrations of the idempotency_keys table (storage.Migrate); a
// service applies them with storage.Migrate(ctx, db, idempotency.Migrations, "goose_idempotency")
// beside its own, as it does outbox.Migrations.
var Migrations fs.FS = mustSub(migrations, "migrations")

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // only a broken embed pattern gets here
	}
	return sub
}

// ReasonRequestIDReused is the ErrorInfo reason of a request_id sent again with another request.
const ReasonRequestIDReused = "REQUEST_ID_REUSED"

// ErrRequestIDReused is wrapped by the error Claim returns when the key was first used with a
// request of another fingerprint.
var ErrRequestIDReused = errors.New("request_id was already used with another request")

// Key is one idempotency key and the fingerprint of the request that carries it.
type Key struct {
	Caller    string // who asked: CallerOf the verified claims
	Method    string // the full gRPC method, e.g. "/vif.statistics.v1.StatisticsService/SubmitReport"
	Parent    string // the request's parent (or the resource it writes on), "" for a top-level create
	RequestID string
	// Fingerprint is the SHA-256 of the request (Fingerprint).
	Fingerprint []byte
}

type contextKey struct{}

// NewContext returns a copy of ctx carrying k.
func NewContext(ctx context.Context, k Key) context.Context {
	return context.WithValue(ctx, contextKey{}, k)
}

// FromContext returns the key the interceptor put in ctx; false when the call has no request_id.
func FromContext(ctx context.Context) (Key, bool) {
	k, ok := ctx.Value(contextKey{}).(Key)
	return k, ok
}

// Internal returns a copy of ctx carrying the key of a write a service makes itself, outside any
// RPC, such as a seed: caller names the writer ("seed"), key the write ("statistics/seed/…"). A
// seed interrupted half-way and run again replays what it wrote instead of writing it twice. The
// fingerprint is key's own: what an internal writer writes under a key never changes.
func Internal(ctx context.Context, caller, key string) context.Context {
	sum := sha256.Sum256([]byte(key))
	return NewContext(ctx, Key{Caller: caller, Method: "internal", Parent: "", RequestID: key, Fingerprint: sum[:]})
}

// CallerOf names the caller of a key: the token's subject with its role and scope, so that two
// tokens that share a subject but not a role or a network (the CLI's default subject is the
// role) are two callers. Nil claims (an anonymous call) give "".
func CallerOf(c *auth.Claims) string {
	if c == nil {
		return ""
	}
	return strings.Join([]string{
		"role=" + strconv.Quote(string(c.Role)),
		"network=" + strconv.Quote(c.Network),
		"organisation=" + strconv.Quote(c.Organisation),
		"sub=" + strconv.Quote(c.Subject),
	}, " ")
}

// Fingerprint returns the SHA-256 of the deterministic protobuf encoding of m: two requests with
// the same fields and values have the same fingerprint, whether they came over gRPC or JSON.
func Fingerprint(m proto.Message) ([]byte, error) {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("idempotency: encode request: %w", err)
	}
	sum := sha256.Sum256(b)
	return sum[:], nil
}

// Claim records, inside tx, that the request whose key is in ctx creates resource: the name of
// what it writes, or whatever the store needs to read it back (a revision's name,
// "networks/x/reports/2024-01@3"). Call it in the write's transaction before writing the
// resource:
//
//   - no key in ctx (the call gave no request_id), or a new key: it returns "" and the store
//     writes as usual; the key commits with the write, or rolls back with it;
//   - the key was used with the same request: it returns the resource recorded then, and the
//     store returns that resource as it is now and writes nothing (no event); one deleted since
//     answers as a read of it would (not found), it is not created again;
//   - the key was used with another request: an error wrapping ErrRequestIDReused.
//
// Concurrent calls with one key are serialised by the key's primary key: on PostgreSQL the
// second insert waits for the first transaction and then sees its row (or, if it rolled back,
// takes the key); on SQLite write transactions already run one at a time.
func Claim(ctx context.Context, tx *sql.Tx, resource string) (string, error) {
	k, ok := FromContext(ctx)
	if !ok {
		return "", nil
	}
	if resource == "" {
		return "", errors.New("idempotency: claim without a resource")
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (caller, method, parent, request_id, fingerprint, resource)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (caller, method, parent, request_id) DO NOTHING`,
		k.Caller, k.Method, k.Parent, k.RequestID, k.Fingerprint, resource)
	if err != nil {
		return "", fmt.Errorf("idempotency: claim: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return "", fmt.Errorf("idempotency: claim: %w", err)
	} else if n == 1 {
		return "", nil
	}
	var fingerprint []byte
	var first string
	err = tx.QueryRowContext(ctx, `SELECT fingerprint, resource FROM idempotency_keys
		WHERE caller = $1 AND method = $2 AND parent = $3 AND request_id = $4`,
		k.Caller, k.Method, k.Parent, k.RequestID).Scan(&fingerprint, &first)
	if err != nil {
		return "", fmt.Errorf("idempotency: read key: %w", err)
	}
	if !bytes.Equal(fingerprint, k.Fingerprint) {
		return "", fmt.Errorf("%w (request_id %q)", ErrRequestIDReused, k.RequestID)
	}
	return first, nil
}
