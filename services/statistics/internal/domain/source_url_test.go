package domain

import "testing"

func TestValidSourceURLAcceptsHTTPAndHTTPSOnly(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want bool
	}{
		{"https://www.interieur.gouv.fr/Interstats", true},
		{"http://example.org/x?y=1", true},
		{"HTTPS://EXAMPLE.ORG", true},
		{"javascript:alert(1)", false},
		{"data:text/html,<script>x</script>", false},
		{"file:///etc/passwd", false},
		{"ftp://example.org/x", false},
		{"https:/no-host", false},
		{"//example.org/x", false},
		{"example.org", false},
	} {
		if got := ValidSourceURL(tc.url); got != tc.want {
			t.Errorf("ValidSourceURL(%q) = %v; want %v", tc.url, got, tc.want)
		}
	}
}
