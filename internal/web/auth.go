package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
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

// dummyHash is compared against when a name is unknown, so a wrong name
// costs as long as a wrong password (at the default cost) and names cannot
// be probed.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("no such user"), bcrypt.DefaultCost)
	return h
})

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
		u, ok := s.sessionUser(r)
		switch {
		case !ok && strings.HasPrefix(r.URL.Path, "/api/"):
			http.Error(w, "login required", http.StatusUnauthorized)
		case !ok:
			http.Redirect(w, r, "/login", http.StatusSeeOther)
		case roleRank[u.Role] < role:
			http.Error(w, "your role may not do this", http.StatusForbidden)
		default:
			h(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
		}
	})
}

func userOf(r *http.Request) User {
	u, _ := r.Context().Value(userKey{}).(User)
	return u
}

// sessionUser reads a signed cookie "name|expiry|mac". The role is looked up
// on every request, so a role taken away in the configuration counts at once.
func (s *Server) sessionUser(r *http.Request) (User, bool) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return s.basicUser(r)
	}
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return User{}, false
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 3 || !hmac.Equal([]byte(parts[2]), []byte(s.sign(parts[0]+"|"+parts[1]))) {
		return User{}, false
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || s.opts.Now().Unix() > exp {
		return User{}, false
	}
	u, ok := s.users[parts[0]]
	return u, ok
}

// basicUser lets programs (flexrecon reconcile handing a run over) call the
// API with a name and password instead of a session.
func (s *Server) basicUser(r *http.Request) (User, bool) {
	name, password, ok := r.BasicAuth()
	if !ok || !strings.HasPrefix(r.URL.Path, "/api/") {
		return User{}, false
	}
	u, known := s.users[name]
	if !known || bcrypt.CompareHashAndPassword(u.PasswordHash, []byte(password)) != nil {
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
	msg := name + "|" + strconv.FormatInt(exp.Unix(), 10)
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: base64.RawURLEncoding.EncodeToString([]byte(msg + "|" + s.sign(msg))),
		Path: "/", Expires: exp, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.opts.Secure || r.TLS != nil,
	})
}

type loginData struct{ Failed bool }

func (s *Server) loginPage(w http.ResponseWriter, _ *http.Request) {
	s.render(w, "login", loginData{})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	name, password := r.PostFormValue("name"), r.PostFormValue("password")
	u, known := s.users[name]
	hash := u.PasswordHash
	if !known {
		hash = dummyHash()
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || !known {
		s.audit(r, name, "login refused", "")
		w.WriteHeader(http.StatusUnauthorized)
		s.render(w, "login", loginData{Failed: true})
		return
	}
	s.setSession(w, r, name)
	s.audit(r, name, "login", "")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
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
		s.fail(w, err)
		return
	}
	s.render(w, "audit", page{User: userOf(r), Data: entries})
}

// page is what every page template gets: who is looking, and its data.
type page struct {
	User User
	Data any
}

// Can says whether the viewer has at least role name (for templates).
func (p page) Can(role string) bool { return roleRank[p.User.Role] >= roleRank[role] }
