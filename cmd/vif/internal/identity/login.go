package identity

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

const (
	loginPath    = "/login"
	signedInPath = "/signed-in"
	csrfCookie   = "vif_csrf"
)

// Sign-in throttling: after MaxFailures failed sign-ins for one e-mail address within
// FailureWindow, that address is refused until the oldest failure leaves the window, even with
// the right password; one client address gets MaxFailures*4 failures across e-mails.
const (
	MaxFailures   = 5
	FailureWindow = 15 * time.Minute
)

var pages = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Connexion – vif</title></head>
<body><main>
<h1>Se connecter à vif</h1>
{{if .Error}}<p id="erreur" role="alert">{{.Error}}</p>{{end}}
{{if .ID}}<form method="post" action="/login">
<input type="hidden" name="authRequestID" value="{{.ID}}">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<p><label for="email">Adresse électronique</label><br>
<input id="email" name="email" type="email" autocomplete="username" required value="{{.Email}}"></p>
<p><label for="password">Mot de passe</label><br>
<input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button id="se-connecter" type="submit">Se connecter</button></p>
</form>{{end}}
</main></body></html>
{{define "signed-in"}}<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Connexion réussie – vif</title></head>
<body><main><h1 id="connecte">Connexion réussie</h1>
<p>Vous pouvez revenir à l'application qui vous a demandé de vous connecter.</p></main></body></html>
{{end}}`))

type loginPage struct {
	ID, CSRF, Email, Error string
}

// login serves the login page and checks what it posts.
type login struct {
	store    *opStorage
	callback func(context.Context, string) string
	log      *slog.Logger
	throttle *throttle
}

// securityHeaders: the page runs no script and loads nothing, may not be framed (clickjacking
// of the password form), and leaks no URL (the request id) to another site.
func securityHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "text/html; charset=utf-8")
}

func (l *login) render(w http.ResponseWriter, status int, p loginPage) {
	securityHeaders(w)
	w.WriteHeader(status)
	_ = pages.Execute(w, p)
}

func (l *login) show(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("authRequestID")
	if _, err := l.store.AuthRequestByID(r.Context(), id); err != nil {
		l.render(w, http.StatusBadRequest, loginPage{Error: "Cette demande de connexion est inconnue ou a expiré. Revenez à l'application et recommencez."})
		return
	}
	l.render(w, http.StatusOK, loginPage{ID: id, CSRF: l.setCSRF(w)})
}

// setCSRF gives the browser a fresh anti-forgery value in a cookie that another site's page can
// neither read nor send (SameSite=Strict), and returns it for the form: a post whose field does
// not match its cookie came from elsewhere.
func (l *login) setCSRF(w http.ResponseWriter) string {
	v := rand.Text()
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: v, Path: loginPath, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	return v
}

func (l *login) submit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, email, password := r.PostFormValue("authRequestID"), strings.TrimSpace(r.PostFormValue("email")), r.PostFormValue("password")
	cookie, err := r.Cookie(csrfCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(cookie.Value), []byte(r.PostFormValue("csrf"))) != 1 {
		l.audit(ctx, r, email, "PermissionDenied", "CSRF_MISMATCH")
		l.render(w, http.StatusForbidden, loginPage{Error: "Le formulaire a expiré. Rechargez la page de connexion et recommencez."})
		return
	}
	req, err := l.store.AuthRequestByID(ctx, id)
	if err != nil {
		l.render(w, http.StatusBadRequest, loginPage{Error: "Cette demande de connexion est inconnue ou a expiré. Revenez à l'application et recommencez."})
		return
	}
	page := loginPage{ID: id, CSRF: cookie.Value, Email: email}
	ip := clientIP(r)
	if !l.throttle.allow("email:"+strings.ToLower(email)) || !l.throttle.allowN("ip:"+ip, MaxFailures*4) {
		l.audit(ctx, r, email, "ResourceExhausted", "SIGN_IN_THROTTLED")
		page.Error = "Trop de tentatives de connexion. Réessayez dans quelques minutes."
		l.render(w, http.StatusTooManyRequests, page)
		return
	}
	account, err := l.store.CheckPassword(ctx, email, password)
	if errors.Is(err, ErrNotFound) {
		l.throttle.fail("email:" + strings.ToLower(email))
		l.throttle.fail("ip:" + ip)
		l.audit(ctx, r, email, "Unauthenticated", "BAD_CREDENTIALS")
		page.Error = "Adresse électronique ou mot de passe incorrect, ou compte désactivé."
		l.render(w, http.StatusUnauthorized, page)
		return
	}
	if err == nil {
		err = l.store.signedIn(ctx, id, account.Email)
	}
	if errors.Is(err, errRequestDone) {
		l.render(w, http.StatusBadRequest, loginPage{Error: "Cette demande de connexion a déjà servi. Revenez à l'application et recommencez."})
		return
	}
	if err != nil {
		l.log.ErrorContext(ctx, "sign-in failed", "error", err)
		page.Error = "La connexion n'a pas pu aboutir. Réessayez."
		l.render(w, http.StatusServiceUnavailable, page)
		return
	}
	l.throttle.reset("email:" + account.Email)
	l.audit(ctx, r, account.Email, "OK", "", slog.String("role", account.Role), slog.String("client", req.GetClientID()))
	http.Redirect(w, r, l.callback(ctx, id), http.StatusFound)
}

// audit writes the audit line of a sign-in attempt: who (the e-mail typed), from where, how it
// ended; never the password.
func (l *login) audit(ctx context.Context, r *http.Request, who, outcome, reason string, extra ...slog.Attr) {
	attrs := []slog.Attr{slog.String("who", who), slog.String("method", "identity.SignIn"), slog.String("outcome", outcome), slog.String("remote", clientIP(r))}
	if reason != "" {
		attrs = append(attrs, slog.String("reason", reason))
	}
	l.log.LogAttrs(ctx, slog.LevelInfo, "audit", append(attrs, extra...)...)
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func signedIn(w http.ResponseWriter, _ *http.Request) {
	securityHeaders(w)
	_ = pages.ExecuteTemplate(w, "signed-in", nil)
}

// throttle counts the failed sign-ins per key within FailureWindow. It lives in memory: a
// restart forgets the failures, which an attacker cannot cause from the login page.
type throttle struct {
	mu       sync.Mutex
	failures map[string][]time.Time
	now      func() time.Time
}

func newThrottle() *throttle { return &throttle{failures: map[string][]time.Time{}, now: time.Now} }

func (t *throttle) allow(key string) bool { return t.allowN(key, MaxFailures) }

func (t *throttle) allowN(key string, n int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	cut := t.now().Add(-FailureWindow)
	kept := t.failures[key][:0]
	for _, at := range t.failures[key] {
		if at.After(cut) {
			kept = append(kept, at)
		}
	}
	if len(kept) == 0 {
		delete(t.failures, key)
	} else {
		t.failures[key] = kept
	}
	return len(kept) < n
}

func (t *throttle) fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failures[key] = append(t.failures[key], t.now())
}

func (t *throttle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, key)
}
