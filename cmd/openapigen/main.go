// Command openapigen writes the OpenAPI 3 description of the REST API (gateway/openapi/openapi.json)
// from what the protos say (the paths, parameters and schemas that protoc-gen-openapi derives from
// the google.api.http rules) and what only the services know: who may call each operation (their
// access policies), which parameters their validation rules require, the error responses of the
// gateway's error shape, and the content type of a download. `make generate` runs it after
// `buf generate`; the result is committed and checked for staleness like generated Go code.
//
//	go run ./cmd/openapigen -in protoc-gen-openapi.yaml -out gateway/openapi/openapi.json
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/getkin/kin-openapi/openapi3"
)

func main() {
	in := flag.String("in", "", "the OpenAPI 3 YAML that protoc-gen-openapi wrote")
	out := flag.String("out", "gateway/openapi/openapi.json", "where to write the finished description")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "openapigen:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	if in == "" {
		return fmt.Errorf("-in is required")
	}
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if err := complete(doc, policies(), methods()); err != nil {
		return err
	}
	js, err := marshal(doc)
	if err != nil {
		return err
	}
	// Load what is written, as a client would, so that the references complete added resolve.
	written, err := openapi3.NewLoader().LoadFromData(js)
	if err == nil {
		err = written.Validate(context.Background())
	}
	if err != nil {
		return fmt.Errorf("the finished description is not valid OpenAPI: %w", err)
	}
	return os.WriteFile(out, js, 0o644)
}
