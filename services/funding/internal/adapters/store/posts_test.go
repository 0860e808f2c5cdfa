package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/services/funding/internal/domain"
)

var postCases = []contractCase{
	{"create post then get returns every field; a repeated request id returns it", createPostThenGet},
	{"create with a taken post id is ErrAlreadyExists and writes nothing", createTakenPostID},
	{"list posts filters by network and host organisation and pages in id order", listPosts},
	{"update post writes the change with its event; a failing one writes nothing", updatePost},
}

func createPostThenGet(t *testing.T, f *fixture) {
	ctx := context.Background()
	p := f.post("iscg-louhannais")
	p.EndDate = "2026-12-31"
	p.CreateTime = p.CreateTime.Add(999).In(fixedParis)
	want := *p
	want.CreateTime = want.CreateTime.Truncate(time.Microsecond)
	ev := f.postCreated(p)
	got, created, err := f.repo.CreatePost(postRequest("req-1", p), p, ev)
	if err != nil || !created || !samePost(got, &want) {
		t.Fatalf("CreatePost = %+v, created %v, %v; want %+v, created", got, created, err, want)
	}
	f.wrote(ev)
	if read, err := f.repo.GetPost(ctx, p.ID); err != nil || !samePost(read, &want) {
		t.Errorf("GetPost(%q) = %+v, %v; want %+v", p.ID, read, err, want)
	}
	// The retry of the same request, for which the server chose another id.
	retry := *p
	retry.ID = "iscg-retry"
	if got, created, err := f.repo.CreatePost(postRequest("req-1", &retry), &retry, f.postCreated(&retry)); err != nil || created || !samePost(got, &want) {
		t.Errorf("CreatePost(%q, same request) = %+v, created %v, %v; want %+v, false, nil", retry.ID, got, created, err, want)
	}
	// The same request id with another request (another post) is refused.
	other := f.post("iscg-other")
	if got, created, err := f.repo.CreatePost(postRequest("req-1", other), other, f.postCreated(other)); !errors.Is(err, idempotency.ErrRequestIDReused) || created || got != nil {
		t.Errorf("CreatePost(%q, same request id, another post) = %+v, created %v, %v; want ErrRequestIDReused", other.ID, got, created, err)
	}
	for _, id := range []string{retry.ID, other.ID} {
		if _, err := f.repo.GetPost(ctx, id); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("GetPost(%q) = %v; want ErrNotFound", id, err)
		}
	}
}

func createTakenPostID(t *testing.T, f *fixture) {
	f.createPost(t, f.post("iscg-a"))
	for _, requestID := range []string{"", "req-2"} {
		dup := f.post("iscg-a")
		if got, created, err := f.repo.CreatePost(postRequest(requestID, dup), dup, f.postCreated(dup)); !errors.Is(err, domain.ErrAlreadyExists) || created {
			t.Errorf("CreatePost(%q, request %q) = %v, created %v, %v; want ErrAlreadyExists", dup.ID, requestID, got, created, err)
		}
	}
	if n := f.count(t, "posts"); n != 1 {
		t.Errorf("posts = %d; want 1", n)
	}
}

func listPosts(t *testing.T, f *fixture) {
	specs := []struct{ id, network, host string }{
		{"p-d", "chalonnais", "police-71"},
		{"p-a", "chalonnais", "gendarmerie-71"},
		{"p-c", "louhannais", "gendarmerie-71"},
		{"p-b", "chalonnais", "gendarmerie-71"},
		{"p-e", "louhannais", "police-71"},
	}
	for _, s := range specs {
		p := f.post(s.id)
		p.Network, p.HostOrganisation = s.network, s.host
		f.createPost(t, p)
	}
	checkList(t, "ListPosts", f.repo.ListPosts, postIDs, []listTest{
		{domain.Query{Filters: map[string]string{"network": "chalonnais"}, Limit: 10}, []string{"p-a", "p-b", "p-d"}, 3},
		{domain.Query{Filters: map[string]string{"host_organisation": "police-71"}, Limit: 10}, []string{"p-d", "p-e"}, 2},
		{domain.Query{Filters: map[string]string{"network": "louhannais", "host_organisation": "gendarmerie-71"}, Limit: 10}, []string{"p-c"}, 1},
		{domain.Query{Filters: map[string]string{"network": "chalonnais"}, After: "p-a", Limit: 1}, []string{"p-b"}, 3},
	})
	pageThrough(t, "ListPosts", f.repo.ListPosts, postIDs, nil, 2, []string{"p-a", "p-b", "p-c", "p-d", "p-e"})
}

func updatePost(t *testing.T, f *fixture) {
	ctx := context.Background()
	orig := f.post("iscg-a")
	f.createPost(t, orig)
	want := *orig
	if _, err := f.repo.UpdatePost(ctx, "iscg-a", func(p *domain.Post) (*domain.Event, error) {
		p.DisplayName = "Half-done"
		return nil, errRefused
	}); !errors.Is(err, errRefused) {
		t.Errorf("UpdatePost(failing) = %v; want errRefused", err)
	}
	if read, err := f.repo.GetPost(ctx, "iscg-a"); err != nil || !samePost(read, &want) {
		t.Errorf("GetPost after a failing update = %+v, %v; want unchanged %+v", read, err, want)
	}
	var ev *domain.Event
	got, err := f.repo.UpdatePost(ctx, "iscg-a", func(p *domain.Post) (*domain.Event, error) {
		p.Network, p.FTEThousandths, p.EndDate = "louhannais", 500, "2027-06-30"
		p.Revision++
		p.UpdateTime = f.now()
		want = *p
		ev = f.event(domain.PostUpdated)
		ev.Post, ev.UpdateMask = p, []string{"network", "fte_thousandths", "end_date"}
		return ev, nil
	})
	if err != nil || !samePost(got, &want) {
		t.Fatalf("UpdatePost = %+v, %v; want %+v", got, err, want)
	}
	f.wrote(ev)
	if read, err := f.repo.GetPost(ctx, "iscg-a"); err != nil || !samePost(read, &want) {
		t.Errorf("GetPost = %+v, %v; want %+v", read, err, want)
	}
	if _, err := f.repo.UpdatePost(ctx, "nowhere", func(*domain.Post) (*domain.Event, error) { return nil, errRefused }); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("UpdatePost(%q) = %v; want ErrNotFound", "nowhere", err)
	}
}
