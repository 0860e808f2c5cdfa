package main

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	_ "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
	_ "github.com/vif71/vif/proto/gen/go/vif/fleet/v1"
	_ "github.com/vif71/vif/proto/gen/go/vif/funding/v1"
	_ "github.com/vif71/vif/proto/gen/go/vif/statistics/v1"
)

// asyncAPICatalogue reads docs/asyncapi.yaml as subject -> payload message.
func asyncAPICatalogue(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile("../../docs/asyncapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Channels map[string]struct {
			Address  string
			Messages map[string]struct {
				Ref string `yaml:"$ref"`
			}
		}
		Components struct {
			Messages map[string]struct {
				Payload struct {
					Ref string `yaml:"$ref"`
				}
				XProtobufMessage string `yaml:"x-protobuf-message"`
			}
		}
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("docs/asyncapi.yaml: %v", err)
	}
	out := map[string]string{}
	for id, ch := range doc.Channels {
		if len(ch.Messages) != 1 {
			t.Errorf("channel %s has %d messages; want 1", id, len(ch.Messages))
		}
		for _, m := range ch.Messages {
			key := strings.TrimPrefix(m.Ref, "#/components/messages/")
			msg, ok := doc.Components.Messages[key]
			if !ok {
				t.Errorf("channel %s refers to %s, which is not in components.messages", id, m.Ref)
				continue
			}
			if msg.Payload.Ref != "#/components/schemas/"+msg.XProtobufMessage {
				t.Errorf("message %s: payload %s; want the schema of %s", key, msg.Payload.Ref, msg.XProtobufMessage)
			}
			out[ch.Address] = msg.XProtobufMessage
		}
	}
	return out
}

// catalogueRow is a row of a catalogue table in docs/events.md: | `subject` | `payload` | when |.
var catalogueRow = regexp.MustCompile("^\\| `(vif\\.[a-z0-9_.]+)` \\| `(vif\\.[A-Za-z0-9_.]+)` \\|")

// markdownCatalogue reads the catalogue tables of docs/events.md as subject -> payload message.
func markdownCatalogue(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile("../../docs/events.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		if m := catalogueRow.FindStringSubmatch(line); m != nil {
			if prev, dup := out[m[1]]; dup {
				t.Errorf("docs/events.md lists %s twice (%s, %s)", m[1], prev, m[2])
			}
			out[m[1]] = m[2]
		}
	}
	return out
}

// TestEventsMarkdownMatchesAsyncAPI: the Markdown catalogue and the AsyncAPI document list the
// same subjects, each with the same payload message, and every payload is a message the
// generated code knows.
func TestEventsMarkdownMatchesAsyncAPI(t *testing.T) {
	md, api := markdownCatalogue(t), asyncAPICatalogue(t)
	if len(api) < 30 {
		t.Fatalf("docs/asyncapi.yaml has %d channels; want every subject of the suite", len(api))
	}
	for _, subj := range sortedKeys(md) {
		if got, ok := api[subj]; !ok {
			t.Errorf("%s is in docs/events.md but not in docs/asyncapi.yaml", subj)
		} else if got != md[subj] {
			t.Errorf("%s carries %s in docs/events.md but %s in docs/asyncapi.yaml", subj, md[subj], got)
		}
	}
	for _, subj := range sortedKeys(api) {
		if _, ok := md[subj]; !ok {
			t.Errorf("%s is in docs/asyncapi.yaml but not in docs/events.md", subj)
		}
		if _, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(api[subj])); err != nil {
			t.Errorf("%s: payload %s is not a generated message: %v", subj, api[subj], err)
		}
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
