package grpcapi

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"buf.build/go/protovalidate"
	"github.com/golang-jwt/jwt/v5"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/vif71/vif/platform/apierr"
	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/storage"
	statisticsv1 "github.com/vif71/vif/proto/gen/go/vif/statistics/v1"
	"github.com/vif71/vif/services/statistics/internal/adapters/store"
	"github.com/vif71/vif/services/statistics/internal/app"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// twoNetworks stands for the directory: the fuzz target is about the request, not the network.
type twoNetworks struct{}

func (twoNetworks) Networks(context.Context) ([]domain.Network, error) {
	return []domain.Network{{ID: "chalonnais", Population: 110_000}, {ID: "maconnais", Population: 90_000}}, nil
}

// FuzzSubmitReportBody feeds arbitrary bytes through what a SubmitReport body meets: protojson,
// the proto's protovalidate rules, then the server method as an admin, against a real SQLite
// store. Nothing may panic; a refused report is InvalidArgument (never Internal); an accepted one
// is stored complete, every breakdown summing to the victims, and reads back as submitted.
func FuzzSubmitReportBody(f *testing.F) {
	for _, body := range []string{
		`{"parent":"networks/chalonnais","period":"2023","counts":{"victimsSupported":"120","childrenExposed":"70",
		  "byForm":[{"form":"FORM_OF_VIOLENCE_PHYSICAL","count":"50"},{"form":"FORM_OF_VIOLENCE_SEXUAL","count":"9"}],
		  "bySex":[{"sex":"SEX_FEMALE","count":"100"},{"sex":"SEX_MALE","count":"20"}]}}`,
		`{"parent":"networks/maconnais","period":"2023-Q2","counts":{"victimsSupported":"3",
		  "byAgeBand":[{"ageBand":"AGE_BAND_UNDER_18","count":"1"},{"ageBand":"AGE_BAND_UNKNOWN","count":"1"}],
		  "byReferral":[{"referral":"REFERRAL_SELF","count":"3"}]}}`,
		`{"parent":"networks/chalonnais","period":"2023-07","counts":{"victimsSupported":"2","bySex":[{"sex":"SEX_FEMALE","count":"3"}]}}`,
		`{"parent":"networks/chalonnais","period":"2023-07","counts":{"victimsSupported":"5","bySex":[{"sex":"SEX_MALE","count":"1"},{"sex":"SEX_MALE","count":"1"}]}}`,
		`{"parent":"networks/chalonnais","period":"2030","counts":{"victimsSupported":"1"}}`,
		`{"parent":"networks/nowhere","period":"2023","counts":{"victimsSupported":"1"}}`,
		`{"parent":"networks/chalonnais","period":"2023","counts":{"victimsSupported":"0"},"requestId":"0b0e1c1e-1e7a-4f5b-9d7c-3b1a2f4e5d6c"}`,
		`{"parent":"networks/chalonnais","period":"2023","counts":{"victimsSupported":"1000000","bySex":[{"sex":"SEX_UNSPECIFIED","count":"1"}]}}`,
	} {
		f.Add([]byte(body))
	}
	validator, err := protovalidate.New()
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	st, err := store.Open(ctx, db, EncodeEvent, nil)
	if err != nil {
		f.Fatal(err)
	}
	ids := 0
	clock := func() time.Time { return time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC) }
	server := NewServer(app.New(st, twoNetworks{}, clock, func() string { ids++; return "01j" + time.Duration(ids).String() }, 0))
	admin := auth.NewContext(ctx, &auth.Claims{Role: auth.RoleAdmin, RegisteredClaims: jwt.RegisteredClaims{Subject: "fuzz"}})
	log := slog.New(slog.DiscardHandler)

	f.Fuzz(func(t *testing.T, body []byte) {
		var req statisticsv1.SubmitReportRequest
		if err := (protojson.UnmarshalOptions{DiscardUnknown: false}).Unmarshal(body, &req); err != nil {
			return
		}
		if err := validator.Validate(&req); err != nil {
			return // the server's interceptor answers InvalidArgument before the handler
		}
		got, err := server.SubmitReport(admin, &req)
		if err != nil {
			if st := status.Convert(apierr.ToStatus(ctx, err, nil, log)); st.Code() != codes.InvalidArgument {
				t.Fatalf("SubmitReport(%s) = %v; want InvalidArgument when refused", body, st)
			}
			return
		}
		in := req.GetCounts()
		fig := got.GetFigures()
		victims := fig.GetVictimsSupported().GetValue()
		if got.GetView() != statisticsv1.View_VIEW_RAW || victims != in.GetVictimsSupported() || fig.GetChildrenExposed().GetValue() != in.GetChildrenExposed() {
			t.Fatalf("SubmitReport(%s) = %v; want the raw counts submitted", body, got)
		}
		sums := []int64{0, 0, 0, 0}
		for _, c := range fig.GetByForm() {
			sums[0] += c.GetCount().GetValue()
		}
		for _, c := range fig.GetBySex() {
			sums[1] += c.GetCount().GetValue()
		}
		for _, c := range fig.GetByAgeBand() {
			sums[2] += c.GetCount().GetValue()
		}
		for _, c := range fig.GetByReferral() {
			sums[3] += c.GetCount().GetValue()
		}
		for d, sum := range sums {
			if sum != victims {
				t.Errorf("SubmitReport(%s): %s sums to %d; want the %d victims", body, domain.Dimensions[d].Field, sum, victims)
			}
		}
		for _, c := range in.GetBySex() {
			if b := fig.GetBySex()[c.GetSex()-1]; b.GetSex() != c.GetSex() || (c.GetSex() != statisticsv1.Sex_SEX_UNKNOWN && b.GetCount().GetValue() != c.GetCount()) {
				t.Errorf("SubmitReport(%s): %v stored as %v", body, c, b)
			}
		}
		read, err := server.GetReport(admin, &statisticsv1.GetReportRequest{Name: got.GetName()})
		if err != nil || read.GetRevision() != got.GetRevision() || read.GetFigures().GetVictimsSupported().GetValue() != victims {
			t.Errorf("GetReport(%s) = %v, %v; want revision %d with %d victims", got.GetName(), read, err, got.GetRevision(), victims)
		}
	})
}
