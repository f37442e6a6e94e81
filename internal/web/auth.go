package web

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/flexcharge/flexrecon/internal/store"
)

const (
	cookieName = "flexrecon_session"
	sessionTTL = 12 * time.Hour
)

// Roles, weakest first: each may do what the ones before it may.
const (
	roleFinance = iota + 1
	roleOps
	roleAdmin
)

var roleRank = map[string]int{"finance": roleFinance, "ops": roleOps, "admin": roleAdmin}

// dummyHash is what a name no user has is compared against, so that a
// wrong name costs as long as a wrong password and names cannot be probed
// by the time an answer takes. It has the cost of the users' hashes, the
// highest if they differ: hashes made by htpasswd -B cost 5, by Python's
// bcrypt 12, and a wrong name checked at the default 10 was answered
// several times faster or slower than a user's wrong password.
func dummyHash(users map[string]User) []byte {
	cost := 0
	for _, u := range users {
		if c, err := bcrypt.Cost(u.PasswordHash); err == nil {
			cost = max(cost, c)
		}
	}
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	h, _ := bcrypt.GenerateFromPassword([]byte("no such user"), cost)
	return h
}

type userKey struct{}

func sessionKey(configured []byte) ([]byte, error) {
	if len(configured) > 0 {
		return configured, nil
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("make session key: %w", err)
	}
	return k, nil
}

// need wraps h so only a signed-in user of at least role reaches it.
func (s *Server) need(role int, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := s.sessionUser(r)
		var locked lockedOut
		switch {
		case errors.As(err, &locked): // only basic auth, a program's, is throttled here
			s.tooMany(w, r, locked, "/")
		case err != nil && forPrograms(r):
			w.Header().Set("WWW-Authenticate", `Basic realm="flexrecon"`)
			writeError(w, r, http.StatusUnauthorized, err.Error())
		case err != nil:
			http.Redirect(w, r, loginFor(r), http.StatusSeeOther)
		case roleRank[u.Role] < role:
			writeError(w, r, http.StatusForbidden, "your role may not do this")
		default:
			h(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
		}
	})
}

func userOf(r *http.Request) User {
	u, _ := r.Context().Value(userKey{}).(User)
	return u
}

// session is what a signed cookie says: who, until when (Unix seconds), and
// the id that logging out ends.
type session struct {
	name string
	exp  int64
	id   string
}

// sessionUser is the user of the request's session cookie, or of its basic
// credentials when it has no cookie. The role is looked up on every
// request, so a role taken away in the configuration counts at once.
func (s *Server) sessionUser(r *http.Request) (User, error) {
	if _, err := r.Cookie(cookieName); err != nil {
		return s.basicUser(r)
	}
	ses, ok := s.readSession(r)
	u, known := s.users[ses.name]
	if !ok || !known {
		return User{}, errLoginRequired
	}
	return u, nil
}

// readSession reads a signed cookie "name|expiry|id|mac" that has neither
// expired nor been ended by logging out.
func (s *Server) readSession(r *http.Request) (session, bool) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return session{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return session{}, false
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 4 || !hmac.Equal([]byte(parts[3]), []byte(s.sign(strings.Join(parts[:3], "|")))) {
		return session{}, false
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || s.opts.Now().Unix() > exp || s.ended.has(parts[2]) {
		return session{}, false
	}
	return session{name: parts[0], exp: exp, id: parts[2]}, true
}

// forPrograms says whether r is for a program rather than a browser: the
// API (flexrecon reconcile handing a run over) and /metrics (Prometheus).
// Programs sign in with a name and password on each request.
func forPrograms(r *http.Request) bool {
	return isAPI(r) || r.URL.Path == "/metrics"
}

// basicUser is the user a program's request names with its password.
func (s *Server) basicUser(r *http.Request) (User, error) {
	name, password, ok := r.BasicAuth()
	if !ok || !forPrograms(r) {
		return User{}, errLoginRequired
	}
	return s.signIn(r, name, password)
}

var (
	errLoginRequired = errors.New("login required")
	errRefused       = errors.New("wrong name or password")
)

// lockedOut refuses a sign-in without checking it: after too many failed,
// or while too many are being checked.
type lockedOut struct {
	wait time.Duration
	why  string
}

func (e lockedOut) Error() string {
	return e.why + "; try again in " + e.wait.Round(time.Second).String()
}

// retryAfter is the wait in whole seconds, rounded up (a Retry-After value).
func (e lockedOut) retryAfter() string {
	return strconv.FormatInt(int64((e.wait+time.Second-1)/time.Second), 10)
}

// tooMany answers a sign-in refused unchecked: 429 with a Retry-After, and
// the reason for a program (as JSON on the API), the login page again for
// the form, going on to next once signed in.
func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, e lockedOut, next string) {
	w.Header().Set("Retry-After", e.retryAfter())
	if forPrograms(r) {
		writeError(w, r, http.StatusTooManyRequests, e.Error())
		return
	}
	w.WriteHeader(http.StatusTooManyRequests)
	s.render(w, r, "login", loginData{Locked: true, Next: next})
}

// signIn checks a name and password from r's client behind the throttle.
//
// Refusals are audited whether typed in the form or sent by a program, but
// only those whose password was checked. Between lockouts the throttle
// checks at most loginLimit+maxInFlight-1 failures per key (an address and
// a slot of names), the one that starts the lockout saying so, while those
// refused unchecked are not recorded one by one. A flood of refused sign-ins
// from one address thus adds a few rows per slot it falls in and lockout,
// which grows to an hour, instead of one row per request.
func (s *Server) signIn(r *http.Request, name, password string) (User, error) {
	addr, known := clientAddr(r), s.knownName(name)
	try, err := s.throttle.begin(addr, s.slots.of(name))
	if err != nil {
		return User{}, err
	}
	u, ok, err := s.authenticateInTurn(r.Context(), name, password)
	if err != nil {
		s.throttle.abandon(try)
		return User{}, err
	}
	lockout := s.throttle.end(try, ok)
	if ok {
		return u, nil
	}
	detail := ""
	if lockout > 0 {
		detail = fmt.Sprintf("%d failed (client %s): locked out for %s", loginLimit, addr, lockout)
	}
	// Whatever was typed as a name (a password, often) stays out of the
	// log finance reads.
	s.audit(r, cmp.Or(known, "(unknown user)"), "login refused", detail)
	return User{}, errRefused
}

// maxChecks bounds the passwords checked at once, service-wide. bcrypt
// holds a core for tens of milliseconds by design, and with names spread
// over 64 slots one address may have a thousand checks running: the rest
// wait their turn, or leave with their client, and half the cores stay for
// the nightly run.
var maxChecks = max(1, runtime.GOMAXPROCS(0)/2)

// authenticateInTurn authenticates once it is a password check's turn
// among maxChecks, or answers that the client gave up waiting for one. The
// turn is given back however the check ends: a turn lost would stop every
// sign-in.
func (s *Server) authenticateInTurn(ctx context.Context, name, password string) (User, bool, error) {
	if err := s.takeTurn(ctx); err != nil {
		return User{}, false, err
	}
	defer func() { <-s.checking }()
	u, ok := s.authenticate(name, password)
	return u, ok, nil
}

// takeTurn takes a password check's turn, waiting while none is free until
// ctx ends. A free turn is taken whatever ctx says: a request may outlive its
// client (a waited-for run does), and only waiting is given up.
func (s *Server) takeTurn(ctx context.Context) error {
	select {
	case s.checking <- struct{}{}:
		return nil
	default:
	}
	select {
	case s.checking <- struct{}{}:
		return nil
	case <-ctx.Done():
		return lockedOut{time.Second, "too many logins at once"}
	}
}

// knownName is name if a user has it, else "".
func (s *Server) knownName(name string) string {
	if _, ok := s.users[name]; !ok {
		return ""
	}
	return name
}

// authenticate checks a name and password. An unknown name costs the same
// bcrypt check as a known one's wrong password, so the time taken does not
// tell them apart; only a right one, bcrypt accepted lately, is quicker
// (acceptedLogins), which tells its sender nothing the answer does not.
func (s *Server) authenticate(name, password string) (User, bool) {
	u, known := s.users[name]
	if !known {
		s.accepted.compare(s.dummyHash, []byte(password)) // bcrypt, as a known name's wrong password
		return User{}, false
	}
	if !s.accepted.check(u, password) {
		return User{}, false
	}
	return u, true
}

func (s *Server) sign(msg string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) setSession(w http.ResponseWriter, r *http.Request, name string) {
	exp := s.opts.Now().Add(sessionTTL)
	msg := name + "|" + strconv.FormatInt(exp.Unix(), 10) + "|" + rand.Text()
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: base64.RawURLEncoding.EncodeToString([]byte(msg + "|" + s.sign(msg))),
		Path: "/", Expires: exp, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.opts.Secure || r.TLS != nil,
	})
}

type loginData struct {
	Failed, Locked bool
	Next           string // the page to go on to once signed in
}

// loginFor is the sign-in page for r: a page asked for (a link to a run,
// say, from a mail) is where the sign-in goes on to; a form's post is not
// sent again, so it goes on to the start page.
func loginFor(r *http.Request) string {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return "/login"
	}
	return "/login?next=" + url.QueryEscape(r.URL.RequestURI())
}

// localPage is next if it is a path on this service, else "/": the page a
// sign-in goes on to comes from the address bar, and must not send the user
// to another site. Browsers take "//evil.example" for a host, and a
// backslash for a slash; a control character makes no URL. Signing in or
// out is no page to go on to: the form again, as though the sign-in had
// failed, or a form's post only.
func localPage(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil {
		return "/"
	}
	if p := path.Clean(u.Path); p == "/login" || p == "/logout" {
		return "/"
	}
	return next
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "login", loginData{Next: localPage(r.URL.Query().Get("next"))})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	u, err := s.signIn(r, r.PostFormValue("name"), r.PostFormValue("password"))
	next := localPage(r.PostFormValue("next"))
	var locked lockedOut
	switch {
	case errors.As(err, &locked):
		s.tooMany(w, r, locked, next)
	case err != nil:
		w.WriteHeader(http.StatusUnauthorized)
		s.render(w, r, "login", loginData{Failed: true, Next: next})
	default:
		s.setSession(w, r, u.Name)
		s.audit(r, u.Name, "login", "")
		http.Redirect(w, r, next, http.StatusSeeOther)
	}
}

// logout ends the session for good, not only in this browser: a copy of
// its cookie is refused from now on.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if ses, ok := s.readSession(r); ok {
		if err := s.ended.add(r.Context(), ses.id, time.Unix(ses.exp, 0)); err != nil {
			s.opts.Logger.Error("ending the session was not stored; it ends here until a restart", "err", err, "user", ses.name)
		}
		s.audit(r, ses.name, "logout", "")
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// audit records who did what; a failure to record is logged, never shown.
func (s *Server) audit(r *http.Request, actor, action, detail string) {
	err := s.opts.DB.Audit(context.WithoutCancel(r.Context()), store.AuditEntry{
		At: s.opts.Now().UTC(), Actor: actor, Action: action, Detail: detail})
	if err != nil {
		s.opts.Logger.Error("audit failed", "err", err, "actor", actor, "action", action)
	}
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	entries, err := s.opts.DB.AuditLog(r.Context(), 200)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "audit", page{User: userOf(r), Data: entries})
}

// page is what every page template gets: who is looking, and its data.
type page struct {
	User User
	Data any
}

// Can says whether the viewer has at least role name (for templates).
func (p page) Can(role string) bool { return roleRank[p.User.Role] >= roleRank[role] }

// endedSessions are the sessions ended by logging out before they expired,
// known by a digest of their id: kept in the database, so that a restart
// does not bring them back, and here, for every request.
type endedSessions struct {
	db  *store.DB
	now func() time.Time
	mu  sync.Mutex
	ids map[string]time.Time // digest → the session's expiry
}

func loadEndedSessions(db *store.DB, now func() time.Time) (*endedSessions, error) {
	ids, err := db.EndedSessions(context.Background(), now())
	if err != nil {
		return nil, err
	}
	return &endedSessions{db: db, now: now, ids: ids}, nil
}

func (e *endedSessions) has(id string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.ids[storedDigest(id)]
	return ok
}

// add ends a session here at once, then in the database, and forgets the
// ended sessions past their expiry (refused anyway).
func (e *endedSessions) add(ctx context.Context, id string, expires time.Time) error {
	d, now := storedDigest(id), e.now()
	e.mu.Lock()
	for k, exp := range e.ids {
		if exp.Before(now) {
			delete(e.ids, k)
		}
	}
	e.ids[d] = expires
	e.mu.Unlock()
	return e.db.EndSession(context.WithoutCancel(ctx), d, expires)
}

// storedDigest is what is stored of a session id or an Idempotency-Key:
// enough to recognise it, nothing to sign in with or to read back.
func storedDigest(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}
