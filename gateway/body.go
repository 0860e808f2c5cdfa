package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// limitBody reads the whole request body, at most max bytes, before grpc-gateway sees it.
//
// Reading it here rather than leaving http.MaxBytesReader to fail inside grpc-gateway is what
// makes an oversize body a 413: the generated handlers turn any decoding error, a
// *http.MaxBytesError included, into an InvalidArgument status with only the error's text (400),
// and a JSON body that ends before the limit is decoded and the rest drained without a word, so
// such a body would even reach the service. The bodies of this API are small JSON objects, so
// holding one in memory costs nothing that protojson would not spend anyway.
//
// The body is also checked to be one well-formed JSON value: grpc-gateway decodes the first
// value and ignores whatever follows it ({"displayName":"a"}{"kind":…} would pass). Every
// request body is JSON here (jsonMarshaler serves every Content-Type); a method taking a raw
// google.api.HttpBody would need exempting.
func limitBody(next http.Handler, max int64, audit *edgeAudit) http.Handler {
	reject := func(w http.ResponseWriter, r *http.Request, httpCode int, st *status.Status) {
		audit.rejected(r, st)
		writeStatus(w, r, httpCode, st)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			// Known from the headers: not a byte is read. net/http then drains a small unread
			// body to keep the connection, or closes it.
			reject(w, r, http.StatusRequestEntityTooLarge, bodyTooLarge(max))
			return
		}
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				reject(w, r, http.StatusRequestEntityTooLarge, bodyTooLarge(max))
				return
			}
			// The client went away or was too slow (ReadTimeout): it will hardly read this.
			reject(w, r, http.StatusBadRequest, withInfo(codes.InvalidArgument, ReasonUnreadableBody,
				"the request body could not be read", nil))
			return
		}
		if hasJSONBody(r.Method) {
			if err := checkJSON(body); err != nil {
				reject(w, r, http.StatusBadRequest, withInfo(codes.InvalidArgument, ReasonMalformedJSON,
					"the request body is not valid JSON: "+err.Error(), nil))
				return
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

// hasJSONBody reports whether a request with this method carries a JSON body in this API. The
// bodies of GET and DELETE are never read by grpc-gateway, so they are not judged either.
func hasJSONBody(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		return true
	}
	return false
}

// checkJSON reports why body is not one JSON value. An empty body (only white space) is left to
// the method, for which it means an empty message.
func checkJSON(body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 || json.Valid(body) {
		return nil
	}
	var v json.RawMessage
	err := json.Unmarshal(body, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%v (at byte %d)", se, se.Offset)
	}
	if err != nil {
		return err
	}
	return errors.New("not a single JSON value")
}
