package gateway

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// Caching. The referential (communes, EPCIs, the networks) changes with a release of the
// binary's snapshot, not with use, so any cache may keep an anonymous answer for an hour;
// other anonymous reads are revalidated each time (their ETag makes that a 304); an answer to a
// request with a token stays no-store, as observe sets it: it may hold personal data.
const referentialCacheControl = "public, max-age=3600"

var referentialPrefixes = []string{"/v1/communes", "/v1/epcis", "/v1/networks"}

// gzipMinBytes: below it, compressing costs more than it saves.
const gzipMinBytes = 1024

// representation serves HTTP's conditional and representation features around the API, which
// grpc-gateway leaves out: HEAD (as GET without the body), an ETag on every successful read (the
// resource's own etag, set by setETag, or a hash of the answer for lists and the referential),
// If-None-Match → 304, Cache-Control by what the answer is, and gzip when the client accepts
// it. It holds each answer in memory until the handler is done: the API's answers are bounded
// (pages of at most 1000 items, bodies of at most MaxBodyBytes), and it never streams.
func representation(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		read := r.Method == http.MethodGet || r.Method == http.MethodHead
		if r.Method == http.MethodHead {
			// The server still knows the request was HEAD and sends no body.
			r = r.Clone(r.Context())
			r.Method = http.MethodGet
		}
		buf := &bufferedWriter{header: w.Header()}
		next.ServeHTTP(buf, r)

		h := w.Header()
		body := buf.body.Bytes()
		status := buf.statusCode()
		if read && status == http.StatusOK {
			if h.Get("ETag") == "" {
				sum := sha256.Sum256(body)
				h.Set("ETag", `W/"`+base64.RawURLEncoding.EncodeToString(sum[:12])+`"`)
			}
			if r.Header.Get("Authorization") == "" {
				if isReferential(r.URL.Path) {
					h.Set("Cache-Control", referentialCacheControl)
				} else {
					h.Set("Cache-Control", "no-cache")
				}
			}
			if noneMatch(r.Header.Get("If-None-Match"), h.Get("ETag")) {
				for _, k := range []string{"Content-Type", "Content-Length", "Content-Encoding"} {
					h.Del(k)
				}
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		if compressible(h.Get("Content-Type")) {
			h.Add("Vary", "Accept-Encoding")
			if len(body) >= gzipMinBytes && h.Get("Content-Encoding") == "" && acceptsGzip(r.Header.Get("Accept-Encoding")) {
				var z bytes.Buffer
				zw, _ := gzip.NewWriterLevel(&z, gzip.DefaultCompression)
				_, _ = zw.Write(body)
				_ = zw.Close()
				body = z.Bytes()
				h.Set("Content-Encoding", "gzip")
				// A strong validator names exact bytes; compressed bytes are others (RFC 9110 8.8.3).
				if e := h.Get("ETag"); strings.HasPrefix(e, `"`) {
					h.Set("ETag", "W/"+e)
				}
			}
		}
		if status != http.StatusNoContent && status != http.StatusNotModified {
			h.Set("Content-Length", strconv.Itoa(len(body)))
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
}

func isReferential(path string) bool {
	for _, p := range referentialPrefixes {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// noneMatch reports whether an If-None-Match header matches etag, by the weak comparison
// RFC 9110 13.1.2 asks for: W/"x" and "x" match.
func noneMatch(header, etag string) bool {
	if header == "" || etag == "" {
		return false
	}
	if strings.TrimSpace(header) == "*" {
		return true
	}
	want := strings.TrimPrefix(etag, "W/")
	for tag := range strings.SplitSeq(header, ",") {
		if strings.TrimPrefix(strings.TrimSpace(tag), "W/") == want {
			return true
		}
	}
	return false
}

func compressible(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch mt {
	case "application/json", "text/csv", "text/html", "text/css", "text/javascript", "application/javascript":
		return true
	}
	return false
}

// acceptsGzip reads Accept-Encoding: gzip (or *) with a q-value above zero.
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "*" {
			continue
		}
		q := strings.TrimSpace(params)
		if v, ok := strings.CutPrefix(q, "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil && f == 0 {
				continue
			}
		}
		return true
	}
	return false
}

// bufferedWriter holds an answer until the handler is done. It shares the real writer's header
// map, so headers set by the handler are the response's.
type bufferedWriter struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(code int) {
	if !b.wroteHeader && code >= 200 {
		b.status, b.wroteHeader = code, true
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	if !b.wroteHeader {
		b.status, b.wroteHeader = http.StatusOK, true
	}
	return b.body.Write(p)
}

func (b *bufferedWriter) statusCode() int {
	if !b.wroteHeader {
		return http.StatusOK
	}
	return b.status
}
