// Command protodump writes the third-party .proto files that vif's protos import
// (google/api/*, google/type/date.proto, buf/validate/validate.proto) from the descriptors compiled into the pinned Go
// modules, so that the sources buf compiles against are exactly what the runtime links in, and
// nobody types them by hand or fetches them from a registry that CI cannot reach.
//
// Usage: go run ./tools/protodump -out proto/third_party
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	//lint:ignore SA1019 protoprint, the one maintained printer of .proto source, takes desc's v1 descriptors
	"github.com/jhump/protoreflect/desc"
	"github.com/jhump/protoreflect/desc/protoprint"
	"google.golang.org/protobuf/reflect/protoreflect"

	_ "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	_ "google.golang.org/genproto/googleapis/api/annotations"
	_ "google.golang.org/genproto/googleapis/api/httpbody"
	_ "google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// files are the imports vif's protos use beyond the well-known types that buf ships.
var files = []string{
	"buf/validate/validate.proto",
	"google/api/annotations.proto",
	"google/api/client.proto",
	"google/api/field_behavior.proto",
	"google/api/http.proto",
	"google/api/httpbody.proto",
	"google/api/launch_stage.proto",
	"google/api/resource.proto",
	"google/type/date.proto",
}

func main() {
	out := flag.String("out", "proto/third_party", "directory to write the .proto files into")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "protodump:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	printer := protoprint.Printer{SortElements: false, Compact: false}
	for _, path := range files {
		fd, err := protoregistry.GlobalFiles.FindFileByPath(path)
		if err != nil {
			return fmt.Errorf("%s is not linked in: %w", path, err)
		}
		if err := write(&printer, fd, filepath.Join(out, path)); err != nil {
			return err
		}
	}
	return nil
}

func write(printer *protoprint.Printer, fd protoreflect.FileDescriptor, dest string) error {
	wrapped, err := desc.WrapFile(fd)
	if err != nil {
		return fmt.Errorf("wrap %s: %w", fd.Path(), err)
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return err
	}
	f, err := os.Create(dest)
	if err != nil {
		return err
	}
	if err := printer.PrintProtoFile(wrapped, f); err != nil {
		f.Close()
		return fmt.Errorf("print %s: %w", fd.Path(), err)
	}
	return f.Close()
}
