package grpcapi

import (
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	statisticsv1 "github.com/vif71/vif/proto/gen/go/vif/statistics/v1"
	"github.com/vif71/vif/services/statistics/internal/app"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// The enum prefixes of the breakdowns, in the order of domain.Dimensions: a bucket's enum value
// is its prefix and its domain name, e.g. FORM_OF_VIOLENCE_PHYSICAL.
var bucketPrefixes = []string{"FORM_OF_VIOLENCE_", "SEX_", "AGE_BAND_", "REFERRAL_"}

// enumValues are the enums' name→number maps, in the same order.
var enumValues = []map[string]int32{
	statisticsv1.FormOfViolence_value, statisticsv1.Sex_value, statisticsv1.AgeBand_value, statisticsv1.Referral_value,
}

// bucketName is the domain name of an enum value of breakdown d ("" for UNSPECIFIED or unknown
// numbers, which the domain refuses as an unknown bucket).
func bucketName(d int, e interface{ String() string }) string {
	name := e.String()
	if _, ok := enumValues[d][name]; !ok || name == bucketPrefixes[d]+"UNSPECIFIED" {
		return name // not a bucket: the domain names it in its error
	}
	return name[len(bucketPrefixes[d]):]
}

// bucketValue is the enum number of bucket b of breakdown d.
func bucketValue(d, b int) int32 {
	return enumValues[d][bucketPrefixes[d]+domain.Dimensions[d].Buckets[b]]
}

func submissionFromProto(c *statisticsv1.ReportCounts) domain.Submission {
	s := domain.Submission{Victims: c.GetVictimsSupported(), Children: c.GetChildrenExposed(), Breakdowns: make([][]domain.BucketCount, len(domain.Dimensions))}
	for _, f := range c.GetByForm() {
		s.Breakdowns[0] = append(s.Breakdowns[0], domain.BucketCount{Bucket: bucketName(0, f.GetForm()), Count: f.GetCount()})
	}
	for _, f := range c.GetBySex() {
		s.Breakdowns[1] = append(s.Breakdowns[1], domain.BucketCount{Bucket: bucketName(1, f.GetSex()), Count: f.GetCount()})
	}
	for _, f := range c.GetByAgeBand() {
		s.Breakdowns[2] = append(s.Breakdowns[2], domain.BucketCount{Bucket: bucketName(2, f.GetAgeBand()), Count: f.GetCount()})
	}
	for _, f := range c.GetByReferral() {
		s.Breakdowns[3] = append(s.Breakdowns[3], domain.BucketCount{Bucket: bucketName(3, f.GetReferral()), Count: f.GetCount()})
	}
	return s
}

func countToProto(c domain.Count) *statisticsv1.Count {
	switch {
	case !c.Present:
		return &statisticsv1.Count{}
	case c.Hidden:
		return &statisticsv1.Count{Hidden: true}
	}
	return &statisticsv1.Count{Value: proto.Int64(c.Value)}
}

func ratioToProto(r domain.Ratio) *statisticsv1.Ratio {
	switch {
	case !r.Present:
		return &statisticsv1.Ratio{}
	case r.Hidden:
		return &statisticsv1.Ratio{Hidden: true}
	}
	return &statisticsv1.Ratio{Value: proto.Float64(r.Value)}
}

func figuresToProto(c domain.PublishedCounts) *statisticsv1.Figures {
	f := &statisticsv1.Figures{VictimsSupported: countToProto(c.Victims), ChildrenExposed: countToProto(c.Children)}
	for d, buckets := range c.Breakdowns {
		for b, n := range buckets {
			count := countToProto(n)
			v := bucketValue(d, b)
			switch d {
			case 0:
				f.ByForm = append(f.ByForm, &statisticsv1.FormFigure{Form: statisticsv1.FormOfViolence(v), Count: count})
			case 1:
				f.BySex = append(f.BySex, &statisticsv1.SexFigure{Sex: statisticsv1.Sex(v), Count: count})
			case 2:
				f.ByAgeBand = append(f.ByAgeBand, &statisticsv1.AgeBandFigure{AgeBand: statisticsv1.AgeBand(v), Count: count})
			case 3:
				f.ByReferral = append(f.ByReferral, &statisticsv1.ReferralFigure{Referral: statisticsv1.Referral(v), Count: count})
			}
		}
	}
	return f
}

func viewOf(raw bool) statisticsv1.View {
	if raw {
		return statisticsv1.View_VIEW_RAW
	}
	return statisticsv1.View_VIEW_PROTECTED
}

func reportToProto(v app.ReportView) *statisticsv1.Report {
	r := v.Report
	return &statisticsv1.Report{
		Name: r.Name(), Network: "networks/" + r.Network, Period: r.Period.String(), Revision: r.Revision,
		Figures: figuresToProto(v.Counts), View: viewOf(v.Raw), Superseded: v.Superseded,
		Illustrative: r.Illustrative, SubmitTime: timestamppb.New(r.SubmitTime),
	}
}

func scopeName(scope string) string {
	if scope == "" {
		return "networks/-"
	}
	return "networks/" + scope
}

var granularities = map[statisticsv1.Granularity]domain.Granularity{
	statisticsv1.Granularity_GRANULARITY_YEAR:    domain.Year,
	statisticsv1.Granularity_GRANULARITY_QUARTER: domain.Quarter,
	statisticsv1.Granularity_GRANULARITY_MONTH:   domain.Month,
}

func granularityToProto(g domain.Granularity) statisticsv1.Granularity {
	for k, v := range granularities {
		if v == g {
			return k
		}
	}
	return statisticsv1.Granularity_GRANULARITY_UNSPECIFIED
}

func seriesToProto(s *domain.Series) *statisticsv1.Series {
	out := &statisticsv1.Series{
		Scope: scopeName(s.Scope), Granularity: granularityToProto(s.Granularity), View: viewOf(s.Raw), Threshold: s.Threshold,
	}
	for _, p := range s.Periods {
		pf := &statisticsv1.PeriodFigures{
			Period: p.Period.String(), Figures: figuresToProto(p.Counts),
			VictimsChangePercent: ratioToProto(p.VictimsChange), VictimsPerThousand: ratioToProto(p.VictimsPerThousand),
			ChildrenPerThousand: ratioToProto(p.ChildrenPerThousand), Population: p.Population,
			ReportingNetworks: int32(p.ReportingNetworks),
		}
		for _, n := range p.ByNetwork {
			pf.ByNetwork = append(pf.ByNetwork, &statisticsv1.NetworkFigures{
				Network: "networks/" + n.Network, VictimsSupported: countToProto(n.Victims),
				ChildrenExposed: countToProto(n.Children), View: viewOf(n.Raw),
			})
		}
		out.Periods = append(out.Periods, pf)
	}
	return out
}

func comparisonToProto(scope string, raw bool, years []domain.YearComparison) *statisticsv1.NationalComparison {
	out := &statisticsv1.NationalComparison{Scope: scopeName(scope), View: viewOf(raw)}
	for _, y := range years {
		yc := &statisticsv1.YearComparison{
			Year: int32(y.Year), LocalVictims: countToProto(y.Local), LocalChangePercent: ratioToProto(y.LocalChange),
			NationalChangePercent: ratioToProto(y.NationalChange), GapPoints: ratioToProto(y.Gap),
		}
		if f := y.National; f != nil {
			yc.NationalFigure, yc.NationalValue, yc.NationalSource, yc.NationalIllustrative = f.Name(), proto.Int64(f.Value), f.Source, f.Illustrative
		}
		out.Years = append(out.Years, yc)
	}
	return out
}

func nationalToProto(f *domain.NationalFigure) *statisticsv1.NationalFigure {
	return &statisticsv1.NationalFigure{
		Name: f.Name(), Year: int32(f.Year), Value: f.Value, Source: f.Source, SourceUrl: f.SourceURL,
		Illustrative: f.Illustrative, CreateTime: timestamppb.New(f.CreateTime),
	}
}

func releaseToProto(r *domain.Release) *statisticsv1.Release {
	out := &statisticsv1.Release{Name: domain.ReleaseName(r.Year, r.Number), Year: int32(r.Year), Number: int32(r.Number)}
	if !r.PublishTime.IsZero() {
		out.PublishTime = timestamppb.New(r.PublishTime)
	}
	return out
}
