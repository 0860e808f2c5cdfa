package grpcapi

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"buf.build/go/protovalidate"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/vif71/vif/platform/apierr"
	"github.com/vif71/vif/platform/resource"
	fleetv1 "github.com/vif71/vif/proto/gen/go/vif/fleet/v1"
	"github.com/vif71/vif/services/fleet/internal/app"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

// memStore is the smallest repository the fuzzed use cases need: a registration is accepted as
// given, and a transition runs on fresh copies of one approved cession and its reserved vehicle.
// Anything else a use case asks of it panics through the nil embedded interface, which the fuzz
// target would report.
type memStore struct {
	domain.Repository
}

func (memStore) RegisterVehicle(_ context.Context, v *domain.Vehicle, events []*domain.Event) (*domain.Vehicle, bool, error) {
	if len(events) != 1 || events[0].Vehicle != v {
		return nil, false, errors.New("a registration without its event")
	}
	return v, true, nil
}

// approvedCession is approved on 2026-01-10; its vehicle, first registered on 2016-05-01, was
// last read on 2026-03-01 at 50000 km, while reserved.
func approvedCession() (*domain.Cession, *domain.Vehicle) {
	v := &domain.Vehicle{ID: "v", VIN: "VF1E2E00000000001", Plate: "EE-001-FL", Make: "Renault", Model: "Clio",
		FirstRegistrationDate: "2016-05-01", State: domain.Reserved, Meta: resource.Meta{Revision: 3},
		Readings: []domain.OdometerReading{{Date: "2018-01-01", KM: 40_000}, {Date: "2026-03-01", KM: 50_000}}}
	c := &domain.Cession{ID: "c", Vehicle: "v", Beneficiary: "iscg-louhannais", BeneficiaryKind: "ISCG", State: domain.Approved,
		ProposeDate: "2026-01-05", ApproveDate: "2026-01-10", Meta: resource.Meta{Revision: 2}}
	return c, v
}

func (memStore) TransitionCession(_ context.Context, id string, change func(*domain.Cession, *domain.Vehicle) ([]*domain.Event, error)) (*domain.Cession, error) {
	c, v := approvedCession()
	if id != c.ID {
		return nil, domain.ErrNotFound
	}
	events, err := change(c, v)
	if err != nil {
		return nil, err
	}
	if len(events) == 0 {
		return nil, errors.New("a transition without its events")
	}
	return c, nil
}

// fuzzServer is the fleet's gRPC face over memStore, with a fixed clock and ids.
func fuzzServer() *Server {
	clock := func() time.Time { return time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC) }
	return NewServer(app.New(memStore{}, nil, clock, func() string { return "01jzzzzzzzzzzzzzzzzzzzzzzz" }))
}

var indexPattern = regexp.MustCompile(`\[[^\]]*\]`)

// isField reports whether path ("handover.officials[0].title") names a field of msg, so that a
// client can find what to fix.
func isField(msg protoreflect.MessageDescriptor, path string) bool {
	parts := strings.Split(indexPattern.ReplaceAllString(path, ""), ".")
	for i, p := range parts {
		f := msg.Fields().ByName(protoreflect.Name(p))
		if f == nil {
			return false
		}
		if i < len(parts)-1 {
			if f.Message() == nil {
				return false
			}
			msg = f.Message()
		}
	}
	return true
}

// checkRefusal fails t unless a request the interceptor chain refused (validation, then the
// server's error mapped as the server does) is InvalidArgument naming fields of the request.
func checkRefusal(t *testing.T, body []byte, req proto.Message, validation, err error) {
	t.Helper()
	desc := req.ProtoReflect().Descriptor()
	var fields []string
	if validation != nil {
		var ve *protovalidate.ValidationError
		if !errors.As(validation, &ve) {
			t.Fatalf("Validate(%s) = %v; want a *protovalidate.ValidationError", body, validation)
		}
		for _, v := range ve.Violations {
			fields = append(fields, protovalidate.FieldPathString(v.Proto.GetField()))
		}
	} else {
		st := status.Convert(apierr.ToStatus(context.Background(), err, nil, slog.New(slog.DiscardHandler)))
		if st.Code() != codes.InvalidArgument {
			t.Fatalf("%s(%s) = %v; want InvalidArgument when refused", desc.Name(), body, st)
		}
		for _, d := range st.Details() {
			if br, ok := d.(*errdetails.BadRequest); ok {
				for _, v := range br.GetFieldViolations() {
					fields = append(fields, v.GetField())
				}
			}
		}
	}
	if len(fields) == 0 {
		t.Fatalf("%s(%s) refused without naming a field", desc.Name(), body)
	}
	for _, f := range fields {
		if !isField(desc, f) {
			t.Errorf("%s(%s) names %q, which is no field of the request", desc.Name(), body, f)
		}
	}
}

var (
	wellFormedVIN = regexp.MustCompile(`^[A-HJ-NPR-Z0-9]{17}$`)
	currentPlate  = regexp.MustCompile(`^[A-HJ-NP-TV-Z]{2}-[0-9]{3}-[A-HJ-NP-TV-Z]{2}$`)
	olderPlate    = regexp.MustCompile(`^[0-9]{1,4} [A-Z]{1,3} (0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$`)
)

// FuzzRegisterVehicleRequest feeds arbitrary bytes through what a RegisterVehicle body meets:
// protojson, the proto's protovalidate rules, then the server method and the use case. Nothing
// may panic; a refused request is InvalidArgument naming fields of the request (never Internal);
// an accepted vehicle has a VIN without I, O or Q, a plate of either French format, and an
// initial reading that is neither negative nor before the first registration.
func FuzzRegisterVehicleRequest(f *testing.F) {
	for _, body := range []string{
		`{"vehicleId":"clio-2015","vehicle":{"vin":"VF1RFB00X51234567","plate":"AB-123-CD","make":"Renault","model":"Clio",
		  "firstRegistrationDate":{"year":2015,"month":3,"day":1}},"initialReading":{"readingDate":{"year":2016,"month":1,"day":10},"odometerKm":"12000"}}`,
		`{"vehicle":{"vin":"VF1RFB00X51234567","plate":"123 ABC 71","make":"Renault","model":"Clio","firstRegistrationDate":{"year":2015,"month":3,"day":1}},
		  "initialState":"VEHICLE_STATE_RETIRED","requestId":"6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"}`,
		`{"vehicle":{"vin":"VF1RFB00X5123456I","plate":"AB-123-CD","make":"Renault","model":"Clio","firstRegistrationDate":{"year":2015,"month":3,"day":1}}}`,
		`{"vehicle":{"vin":"VF1RFB00X5123456O","plate":"AB-123-CD","make":"Renault","model":"Clio","firstRegistrationDate":{"year":2015,"month":3,"day":1}}}`,
		`{"vehicle":{"vin":"VF1RFB00X5123456Q","plate":"AB-123-CD","make":"Renault","model":"Clio","firstRegistrationDate":{"year":2015,"month":3,"day":1}}}`,
		`{"vehicle":{"vin":"vf1rfb00x51234567","plate":"ab-123-cd","make":"Renault","model":"Clio","firstRegistrationDate":{"year":2015,"month":3,"day":1}}}`,
		`{"vehicle":{"vin":"VF1RFB00X51234567","plate":"12 AB 2A","make":" ","model":"Clio","firstRegistrationDate":{"year":2015,"month":2,"day":29}}}`,
		`{"vehicle":{"vin":"VF1RFB00X51234567","plate":"1234 ABC 976","make":"Renault","model":"Clio","firstRegistrationDate":{"year":2015,"month":3}}}`,
		`{"vehicle":{"vin":"VF1RFB00X51234567","plate":"AU-123-CD","make":"Renault","model":"Clio","firstRegistrationDate":{"year":2015,"month":3,"day":1}}}`,
		`{"vehicle":{"vin":"VF1RFB00X51234567","plate":"AB-123-CD","make":"Renault","model":"Clio","firstRegistrationDate":{"year":2015,"month":3,"day":1}},
		  "initialReading":{"readingDate":{"year":2014,"month":1,"day":10},"odometerKm":"-1"}}`,
		`{"vehicle":{"vin":"VF1RFB00X51234567","plate":"AB-123-CD","make":"Renault","model":"Clio","firstRegistrationDate":{"year":2015,"month":3,"day":1}},
		  "initialReading":{"odometerKm":"2000001"}}`,
		`{"vehicle":{"vin":"VF1RFB00X51234567","plate":"AB-123-CD","make":"Renault","model":"Clio","firstRegistrationDate":{"year":1899,"month":12,"day":31}},
		  "initialState":"VEHICLE_STATE_CEDED","vehicleId":"Clio"}`,
		`{"vehicle":{}}`,
		`{}`,
	} {
		f.Add([]byte(body))
	}
	validator, err := protovalidate.New()
	if err != nil {
		f.Fatal(err)
	}
	server := fuzzServer()

	f.Fuzz(func(t *testing.T, body []byte) {
		var req fleetv1.RegisterVehicleRequest
		if err := protojson.Unmarshal(body, &req); err != nil {
			return // the gateway answers 400 before any service sees it
		}
		if verr := validator.Validate(&req); verr != nil {
			checkRefusal(t, body, &req, verr, nil)
			return
		}
		v, err := server.RegisterVehicle(context.Background(), &req)
		if err != nil {
			checkRefusal(t, body, &req, nil, err)
			return
		}
		if !wellFormedVIN.MatchString(v.GetVin()) {
			t.Errorf("RegisterVehicle(%s) accepted the VIN %q; want 17 characters without I, O or Q", body, v.GetVin())
		}
		if !currentPlate.MatchString(v.GetPlate()) && !olderPlate.MatchString(v.GetPlate()) {
			t.Errorf("RegisterVehicle(%s) accepted the plate %q; want AA-123-AA or 123 ABC 71", body, v.GetPlate())
		}
		if st := v.GetState(); st != fleetv1.VehicleState_VEHICLE_STATE_IN_SERVICE && st != fleetv1.VehicleState_VEHICLE_STATE_RETIRED {
			t.Errorf("RegisterVehicle(%s) state = %v; want IN_SERVICE or RETIRED", body, st)
		}
		for _, r := range v.GetOdometerReadings() {
			if r.GetOdometerKm() < 0 || day(r.GetReadingDate()) < day(v.GetFirstRegistrationDate()) || day(v.GetFirstRegistrationDate()) == "" {
				t.Errorf("RegisterVehicle(%s) accepted the reading %v of a vehicle first registered %v", body, r, v.GetFirstRegistrationDate())
			}
		}
	})
}

// day writes a date as YYYY-MM-DD ("" for none), whose text order is date order.
func day(d *date.Date) string { return string(dateFromProto(d)) }

// FuzzHandOverCessionRequest feeds arbitrary bytes through what a HandOverCession body meets:
// protojson, the protovalidate rules, then the server method and the use case, on the approved
// cession of memStore (the name and etag are set to it after validation: the fuzz is about the
// handover). Nothing may panic; a refused handover is InvalidArgument naming fields of the
// request; an accepted one comes after the approval and the vehicle's last reading, never with
// fewer kilometres, with a certificate reference and officials by name and title, and is due for
// declaration 15 days later.
func FuzzHandOverCessionRequest(f *testing.F) {
	for _, body := range []string{
		`{"name":"cessions/c","handover":{"handoverDate":{"year":2026,"month":4,"day":1},"place":"Préfecture de Saône-et-Loire, Mâcon",
		  "officials":[{"displayName":"Louise Thin-Rouzaud","title":"directrice de cabinet du Préfet"}],"odometerKm":"50500","certificateReference":"CERFA-15776-1"}}`,
		`{"name":"cessions/c","handover":{"handoverDate":{"year":2026,"month":3,"day":1},"place":"Mâcon","odometerKm":"50000","certificateReference":"C"}}`,
		`{"name":"cessions/c","handover":{"handoverDate":{"year":2026,"month":12,"day":31},"place":"Mâcon","odometerKm":"2000000","certificateReference":"C"}}`,
		`{"name":"cessions/c","handover":{"handoverDate":{"year":2026,"month":4,"day":1},"place":"Mâcon","odometerKm":"49999","certificateReference":"C"}}`,
		`{"name":"cessions/c","handover":{"handoverDate":{"year":2026,"month":2,"day":1},"place":"Mâcon","odometerKm":"60000","certificateReference":"C"}}`,
		`{"name":"cessions/c","handover":{"handoverDate":{"year":2026,"month":1,"day":9},"place":"Mâcon","odometerKm":"60000","certificateReference":"C"}}`,
		`{"name":"cessions/c","handover":{"handoverDate":{"year":2026,"month":2,"day":30},"place":"Mâcon","odometerKm":"60000","certificateReference":"C"}}`,
		`{"name":"cessions/c","handover":{"handoverDate":{"year":2026,"month":13,"day":1},"place":"Mâcon","odometerKm":"60000","certificateReference":"C"}}`,
		`{"name":"cessions/c","handover":{"handoverDate":{"year":2026,"month":4},"place":"  ","odometerKm":"60000","certificateReference":" "}}`,
		`{"name":"cessions/c","handover":{"handoverDate":{"year":2026,"month":4,"day":1},"place":"Mâcon","odometerKm":"60000","certificateReference":"C",
		  "officials":[{"displayName":" ","title":"x"},{"displayName":"Cécile Aladame"}]}}`,
		`{"name":"cessions/c","handover":{"handoverDate":{"year":2026,"month":4,"day":1},"place":"Mâcon","odometerKm":"-5","certificateReference":""}}`,
		`{"name":"cessions/c","handover":{"handoverDate":{"year":10000,"month":1,"day":1},"place":"Mâcon","odometerKm":"60000","certificateReference":"C"}}`,
		`{"name":"cessions/c","etag":"\"0123456789abcdef\"","handover":{"place":"Mâcon"}}`,
		`{"name":"vehicles/c"}`,
	} {
		f.Add([]byte(body))
	}
	validator, err := protovalidate.New()
	if err != nil {
		f.Fatal(err)
	}
	server := fuzzServer()
	c, v := approvedCession()
	last := v.Readings[len(v.Readings)-1]

	f.Fuzz(func(t *testing.T, body []byte) {
		var req fleetv1.HandOverCessionRequest
		if err := protojson.Unmarshal(body, &req); err != nil {
			return
		}
		if verr := validator.Validate(&req); verr != nil {
			checkRefusal(t, body, &req, verr, nil)
			return
		}
		req.Name, req.Etag = "cessions/"+c.ID, ""
		got, err := server.HandOverCession(context.Background(), &req)
		if err != nil {
			checkRefusal(t, body, &req, nil, err)
			return
		}
		h := got.GetHandover()
		when := day(h.GetHandoverDate())
		if when < string(c.ApproveDate) || when < string(last.Date) || h.GetOdometerKm() < last.KM {
			t.Errorf("HandOverCession(%s) accepted a handover on %s at %d km; want on or after %s and %s, at %d km or more",
				body, when, h.GetOdometerKm(), c.ApproveDate, last.Date, last.KM)
		}
		if strings.TrimSpace(h.GetCertificateReference()) == "" || strings.TrimSpace(h.GetPlace()) == "" {
			t.Errorf("HandOverCession(%s) accepted a handover without a place or a certificate reference: %v", body, h)
		}
		for _, o := range h.GetOfficials() {
			if strings.TrimSpace(o.GetDisplayName()) == "" || strings.TrimSpace(o.GetTitle()) == "" {
				t.Errorf("HandOverCession(%s) accepted the official %v; want a name and a title", body, o)
			}
		}
		due, _ := time.Parse(time.DateOnly, when)
		if want := due.AddDate(0, 0, domain.DeclarationDays).Format(time.DateOnly); day(got.GetDeclarationDeadline()) != want ||
			got.GetState() != fleetv1.CessionState_CESSION_STATE_HANDED_OVER {
			t.Errorf("HandOverCession(%s) = %v due %s; want HANDED_OVER due %s", body, got.GetState(), day(got.GetDeclarationDeadline()), want)
		}
	})
}
