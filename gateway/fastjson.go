package gateway

import (
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// fastJSON is jsonMarshaler's JSON without protojson's cost where the message allows it: the
// answers of the API are plain messages (strings, integers, booleans, enums, repeated fields,
// other such messages, timestamps), which it writes from a plan made once per message type,
// where protojson walks and sorts each message's fields again at every call (6 µs of a 120 µs
// REST read with 16 in flight, docs/performance.md). A message with anything else (a float, a
// map, bytes, another well-known type, an extension), a value protojson refuses (invalid
// UTF-8, a timestamp out of range) and anything not a message go to protojson, whose output
// this one's equals up to whitespace (TestFastJSONIsProtojson draws every message type of the
// API): the same names (lowerCamelCase), the same fields left out (EmitUnpopulated false), the
// same escapes, int64 as strings, enums by name.
type fastJSON struct {
	*runtime.JSONPb
}

func (f fastJSON) Marshal(v any) ([]byte, error) {
	if m, ok := v.(proto.Message); ok && m != nil {
		r := m.ProtoReflect()
		if p := planOf(r.Descriptor()); p != nil && r.IsValid() {
			if out, ok := p.append(make([]byte, 0, 512), r); ok {
				return out, nil
			}
		}
	}
	return f.JSONPb.Marshal(v)
}

// jsonPlan is how fastJSON writes one message type: its fields in declaration order, as
// protojson visits them.
type jsonPlan struct {
	timestamp bool // google.protobuf.Timestamp: an RFC 3339 string
	fields    []jsonField
}

type jsonField struct {
	fd   protoreflect.FieldDescriptor
	name string    // `"displayName":`
	sub  *jsonPlan // a message field's
}

// plans holds a *jsonPlan per message type, or nil when fastJSON leaves the type to protojson.
var plans sync.Map // protoreflect.FullName -> *jsonPlan

func planOf(md protoreflect.MessageDescriptor) *jsonPlan {
	if p, ok := plans.Load(md.FullName()); ok {
		return p.(*jsonPlan)
	}
	p := makePlan(md, map[protoreflect.FullName]bool{})
	plans.Store(md.FullName(), p)
	return p
}

// makePlan returns md's plan, or nil when a field of md, or of a message in it, is of a kind
// fastJSON does not write; seen holds the types being planned (a recursive type is left out).
func makePlan(md protoreflect.MessageDescriptor, seen map[protoreflect.FullName]bool) *jsonPlan {
	name := md.FullName()
	if name == "google.protobuf.Timestamp" {
		return &jsonPlan{timestamp: true}
	}
	if seen[name] || strings.HasPrefix(string(name), "google.protobuf.") || md.ExtensionRanges().Len() > 0 {
		return nil
	}
	seen[name] = true
	defer delete(seen, name)
	p := &jsonPlan{}
	fds := md.Fields()
	for i := range fds.Len() {
		fd := fds.Get(i)
		quoted, ok := appendJSONString(nil, fd.JSONName())
		if !ok || fd.IsMap() || fd.Cardinality() == protoreflect.Required {
			return nil
		}
		f := jsonField{fd: fd, name: string(quoted) + ":"}
		switch fd.Kind() {
		case protoreflect.BoolKind, protoreflect.StringKind,
			protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
			protoreflect.Uint32Kind, protoreflect.Fixed32Kind,
			protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind,
			protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		case protoreflect.EnumKind:
			if fd.Enum().FullName() == "google.protobuf.NullValue" {
				return nil
			}
		case protoreflect.MessageKind:
			if f.sub = makePlan(fd.Message(), seen); f.sub == nil {
				return nil
			}
		default: // floats (protojson's own number format), bytes, groups
			return nil
		}
		p.fields = append(p.fields, f)
	}
	return p
}

// append writes m after out; false when m holds a value fastJSON leaves to protojson.
func (p *jsonPlan) append(out []byte, m protoreflect.Message) ([]byte, bool) {
	if p.timestamp {
		return appendTimestamp(out, m)
	}
	out = append(out, '{')
	first := true
	for i := range p.fields {
		f := &p.fields[i]
		if !m.Has(f.fd) { // what protojson's Range visits: set, non-zero, non-empty
			continue
		}
		if !first {
			out = append(out, ',')
		}
		first = false
		out = append(out, f.name...)
		v := m.Get(f.fd)
		ok := true
		if f.fd.IsList() {
			list := v.List()
			out = append(out, '[')
			for j := range list.Len() {
				if j > 0 {
					out = append(out, ',')
				}
				if out, ok = f.appendValue(out, list.Get(j)); !ok {
					return nil, false
				}
			}
			out = append(out, ']')
			continue
		}
		if out, ok = f.appendValue(out, v); !ok {
			return nil, false
		}
	}
	return append(out, '}'), true
}

func (f *jsonField) appendValue(out []byte, v protoreflect.Value) ([]byte, bool) {
	switch f.fd.Kind() {
	case protoreflect.BoolKind:
		return strconv.AppendBool(out, v.Bool()), true
	case protoreflect.StringKind:
		return appendJSONString(out, v.String())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return strconv.AppendInt(out, v.Int(), 10), true
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return strconv.AppendUint(out, v.Uint(), 10), true
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		out = append(out, '"')
		return append(strconv.AppendInt(out, v.Int(), 10), '"'), true
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		out = append(out, '"')
		return append(strconv.AppendUint(out, v.Uint(), 10), '"'), true
	case protoreflect.EnumKind:
		if ev := f.fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return appendJSONString(out, string(ev.Name()))
		}
		return strconv.AppendInt(out, int64(v.Enum()), 10), true
	case protoreflect.MessageKind:
		return f.sub.append(out, v.Message())
	}
	return nil, false
}

// appendJSONString writes s quoted as protojson does: `"` and `\` escaped, the control
// characters as \b, \f, \n, \r, \t or \u00XX, everything else as it is; false for invalid
// UTF-8, which protojson refuses.
func appendJSONString(out []byte, s string) ([]byte, bool) {
	if !utf8.ValidString(s) {
		return nil, false
	}
	out = append(out, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= ' ' && c != '"' && c != '\\' {
			continue
		}
		out = append(out, s[start:i]...)
		switch c {
		case '"', '\\':
			out = append(out, '\\', c)
		case '\b':
			out = append(out, '\\', 'b')
		case '\f':
			out = append(out, '\\', 'f')
		case '\n':
			out = append(out, '\\', 'n')
		case '\r':
			out = append(out, '\\', 'r')
		case '\t':
			out = append(out, '\\', 't')
		default:
			const hex = "0123456789abcdef"
			out = append(out, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	out = append(out, s[start:]...)
	return append(out, '"'), true
}

// The range protojson accepts for a Timestamp: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
const (
	minTimestampSeconds = -62135596800
	maxTimestampSeconds = 253402300799
)

// appendTimestamp writes a google.protobuf.Timestamp as protojson does: RFC 3339 in UTC, with
// 0, 3, 6 or 9 fractional digits; false out of protojson's range.
func appendTimestamp(out []byte, m protoreflect.Message) ([]byte, bool) {
	fds := m.Descriptor().Fields()
	secs, nanos := m.Get(fds.ByNumber(1)).Int(), m.Get(fds.ByNumber(2)).Int()
	if secs < minTimestampSeconds || secs > maxTimestampSeconds || nanos < 0 || nanos > 999_999_999 {
		return nil, false
	}
	x := time.Unix(secs, nanos).UTC().Format("2006-01-02T15:04:05.000000000")
	x = strings.TrimSuffix(x, "000")
	x = strings.TrimSuffix(x, "000")
	x = strings.TrimSuffix(x, ".000")
	out = append(out, '"')
	out = append(out, x...)
	return append(out, 'Z', '"'), true
}
