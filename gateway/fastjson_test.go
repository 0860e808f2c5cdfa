package gateway

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
)

// TestFastJSONIsProtojson: for every message type of the API, messages drawn at random (every
// field set or not, strings with quotes, backslashes, control characters, non-ASCII and now and
// then invalid UTF-8, integers to their limits, enums defined or not, timestamps in and out of
// range, floats, bytes and maps for the types fastJSON leaves to protojson) come out of the
// gateway's marshaler as protojson writes them, up to whitespace, or fail where protojson fails.
// The answers of the reads a user makes most are among the types fastJSON writes itself.
func TestFastJSONIsProtojson(t *testing.T) {
	marshaler := jsonMarshaler.Marshaler.(fastJSON)
	reference := marshaler.MarshalOptions
	r := rand.New(rand.NewPCG(14, 30))
	planned, types := 0, 0
	protoregistry.GlobalTypes.RangeMessages(func(mt protoreflect.MessageType) bool {
		if !strings.HasPrefix(string(mt.Descriptor().FullName()), "vif.") {
			return true
		}
		types++
		if planOf(mt.Descriptor()) != nil {
			planned++
		}
		for range 200 {
			m := mt.New()
			fill(r, m, 0)
			want, wantErr := reference.Marshal(m.Interface())
			got, err := marshaler.Marshal(m.Interface())
			if wantErr != nil {
				if err == nil {
					t.Fatalf("%s: protojson refuses %v (%v); fastJSON wrote %s", mt.Descriptor().FullName(), m, wantErr, got)
				}
				continue
			}
			// protojson puts spaces in at random (the same ones for a given binary), so that no
			// one relies on its bytes; a type fastJSON leaves to it has them too.
			if err != nil || !bytes.Equal(compact(t, got), compact(t, want)) {
				t.Fatalf("%s:\n fastJSON %s (%v)\n protojson %s", mt.Descriptor().FullName(), got, err, want)
			}
		}
		return true
	})
	if types < 50 {
		t.Fatalf("%d message types of the API registered; want them all", types)
	}
	for _, m := range []protoreflect.ProtoMessage{&directoryv1.Network{}, &directoryv1.ListNetworksResponse{},
		&directoryv1.Organisation{}, &directoryv1.ListCommunesResponse{}} {
		if planOf(m.ProtoReflect().Descriptor()) == nil {
			t.Errorf("fastJSON leaves %s to protojson", m.ProtoReflect().Descriptor().FullName())
		}
	}
	t.Logf("fastJSON writes %d of the %d message types itself", planned, types)
}

func compact(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return out.Bytes()
}

// fill sets each field of m or not, at random, to values chosen to find where two JSON
// encoders differ.
func fill(r *rand.Rand, m protoreflect.Message, depth int) {
	fds := m.Descriptor().Fields()
	for i := range fds.Len() {
		fd := fds.Get(i)
		if r.IntN(3) == 0 {
			continue
		}
		switch {
		case fd.IsList():
			list := m.Mutable(fd).List()
			for range r.IntN(4) {
				if fd.Kind() == protoreflect.MessageKind {
					if depth > 2 {
						break
					}
					e := list.NewElement()
					fill(r, e.Message(), depth+1)
					list.Append(e)
					continue
				}
				list.Append(randomScalar(r, fd))
			}
		case fd.IsMap():
			mm := m.Mutable(fd).Map()
			for range r.IntN(3) {
				k := randomScalar(r, fd.MapKey()).MapKey()
				if fd.MapValue().Kind() == protoreflect.MessageKind {
					if depth > 2 {
						break
					}
					v := mm.NewValue()
					fill(r, v.Message(), depth+1)
					mm.Set(k, v)
					continue
				}
				mm.Set(k, randomScalar(r, fd.MapValue()))
			}
		case fd.Kind() == protoreflect.MessageKind:
			if depth > 2 {
				continue
			}
			v := m.NewField(fd)
			if fd.Message().FullName() == "google.protobuf.Timestamp" {
				ts := v.Message()
				secs := r.Int64N(253402300799+62135596800+1) - 62135596800
				if r.IntN(20) == 0 {
					secs = 253402300800 // out of range
				}
				nanos := []int64{0, 1_000_000, 120_000, 7, 999_999_999, r.Int64N(1_000_000_000)}[r.IntN(6)]
				ts.Set(ts.Descriptor().Fields().ByNumber(1), protoreflect.ValueOfInt64(secs))
				ts.Set(ts.Descriptor().Fields().ByNumber(2), protoreflect.ValueOfInt32(int32(nanos)))
			} else {
				fill(r, v.Message(), depth+1)
			}
			m.Set(fd, v)
		default:
			m.Set(fd, randomScalar(r, fd))
		}
	}
}

// runes are the characters randomString draws from: those JSON encoders escape differently.
var runes = []string{"a", "Z", "0", " ", "é", "É", "ß", "\u00a0", "\u2028", "\u2029", "😀", "<", ">", "&",
	"\"", "\\", "/", "\n", "\r", "\t", "\b", "\f", "\x00", "\x01", "\x1f", "\x7f", "'"}

func randomString(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(12) {
		b.WriteString(runes[r.IntN(len(runes))])
	}
	if r.IntN(40) == 0 {
		b.WriteString("\xff") // invalid UTF-8
	}
	return b.String()
}

func randomScalar(r *rand.Rand, fd protoreflect.FieldDescriptor) protoreflect.Value {
	ints := []int64{0, 1, -1, 42, math.MaxInt32, math.MinInt32, math.MaxInt64, math.MinInt64, r.Int64()}
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(r.IntN(2) == 0)
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(randomString(r))
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes([]byte(randomString(r)))
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(ints[r.IntN(len(ints))]))
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(ints[r.IntN(len(ints))]))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(ints[r.IntN(len(ints))])
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(uint64(ints[r.IntN(len(ints))]))
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32([]float32{0, 1.5, -2, 1e-7, 3e21, float32(math.Inf(1)), float32(math.NaN())}[r.IntN(7)])
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64([]float64{0, 0.1, -2.5, 1e-7, 1e21, 123456789.125, math.Inf(-1), math.NaN()}[r.IntN(8)])
	case protoreflect.EnumKind:
		values := fd.Enum().Values()
		if r.IntN(8) == 0 {
			return protoreflect.ValueOfEnum(protoreflect.EnumNumber(1000 + r.IntN(5))) // not defined
		}
		return protoreflect.ValueOfEnum(values.Get(r.IntN(values.Len())).Number())
	}
	panic("no random value for " + fd.Kind().String())
}

// BenchmarkMarshalNetwork is a network's JSON by fastJSON against protojson, the same options.
func BenchmarkMarshalNetwork(b *testing.B) {
	n := &directoryv1.Network{Name: "networks/chalonnais", DisplayName: "Réseau VIF du Chalonnais",
		Territory: "Chalon-sur-Saône et le Grand Chalon", Epcis: []string{"epcis/200006682", "epcis/247100589"},
		CommuneCount: 56, Population: 121171, Illustrative: true}
	marshaler := jsonMarshaler.Marshaler.(fastJSON)
	b.Run("fastJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := marshaler.Marshal(n); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("protojson", func(b *testing.B) {
		b.ReportAllocs()
		opts := protojson.MarshalOptions{UseProtoNames: false, EmitUnpopulated: false}
		for b.Loop() {
			if _, err := opts.Marshal(n); err != nil {
				b.Fatal(err)
			}
		}
	})
}
