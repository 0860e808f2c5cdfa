package gateway

import "testing"

func TestNoneMatchIsTheWeakComparison(t *testing.T) {
	for _, c := range []struct {
		header, etag string
		want         bool
	}{
		{`"a"`, `"a"`, true},
		{`W/"a"`, `"a"`, true},
		{`"b", W/"a"`, `W/"a"`, true},
		{`*`, `"a"`, true},
		{`"b"`, `"a"`, false},
		{``, `"a"`, false},
		{`"a"`, ``, false},
	} {
		if got := noneMatch(c.header, c.etag); got != c.want {
			t.Errorf("noneMatch(%q, %q) = %v; want %v", c.header, c.etag, got, c.want)
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"gzip": true, "deflate, gzip;q=0.5": true, "*": true, "GZIP": true,
		"": false, "identity": false, "gzip;q=0": false, "br": false,
	} {
		if got := acceptsGzip(header); got != want {
			t.Errorf("acceptsGzip(%q) = %v; want %v", header, got, want)
		}
	}
}

func TestParseOrigins(t *testing.T) {
	got, err := parseOrigins([]string{"https://Console.Example.fr", " http://localhost:5173 ", ""})
	if err != nil || !got["https://console.example.fr"] || !got["http://localhost:5173"] || len(got) != 2 {
		t.Errorf("parseOrigins = %v, %v; want the two origins, host lowercased", got, err)
	}
	for _, bad := range []string{"*", "console.example.fr", "ftp://x.fr", "https://x.fr/app", "https://x.fr?a=1", "https://u@x.fr"} {
		if _, err := parseOrigins([]string{bad}); err == nil {
			t.Errorf("parseOrigins(%q) = nil error; want one", bad)
		}
	}
}
