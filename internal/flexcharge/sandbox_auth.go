package flexcharge

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// principal is the merchant a bearer token was issued to.
type principal struct{ env, mid string }

type principalKey struct{}

// handleToken issues an HS256 JWT for valid AppKey/AppSecret. Go's JSON
// decoding matches keys case-insensitively, as the real server does.
func (s *Sandbox) handleToken(w http.ResponseWriter, r *http.Request) {
	env := r.PathValue("env")
	if !validEnv(env) {
		http.NotFound(w, r)
		return
	}
	var req tokenRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeTitled(w, http.StatusBadRequest, map[string][]string{"$": {"The request body is not valid JSON."}})
		return
	}
	s.mu.RLock()
	m := s.creds[envKey{env, req.AppKey}]
	s.mu.RUnlock()
	if m == nil || req.AppKey == "" || m.AppSecret != req.AppSecret {
		writeTitled(w, http.StatusBadRequest, map[string][]string{"AppKey": {"Invalid AppKey or AppSecret."}})
		return
	}
	token, expires, err := s.issueToken(env, m)
	if err != nil {
		http.Error(w, "sign token", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"accessToken": token, "refreshToken": uuid.NewString(), "expires": expires,
		"id": clientID(env, m), "session": nil, "daysToEnforceMFA": nil, "skipAvailable": nil,
		"success": true, "result": nil, "status": nil, "statusCode": nil,
		"errors": []any{}, "customProperties": map[string]any{},
	})
}

// clientID is the stable API-client id of a merchant's key (the JWT sub).
func clientID(env string, m *SeedMerchant) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte(env+"/"+m.MID+"/"+m.AppKey)).String()
}

// issueToken signs the claims the real API puts in its tokens; expires is in ms.
func (s *Sandbox) issueToken(env string, m *SeedMerchant) (string, int64, error) {
	now := s.now()
	exp := now.Add(TokenLifetime)
	id := clientID(env, m)
	claims := jwt.MapClaims{
		"sub": id, "unique_name": id, "jti": uuid.NewString(),
		"iat": strconv.FormatInt(now.UnixMilli(), 10),
		"nbf": now.Unix(), "exp": exp.Unix(),
		"aud": tokenAudience, "custom:mid": m.MID, "iss": tokenIssuer,
	}
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.jwtKeys[env])
	return token, exp.UnixMilli(), err
}

// authed wraps a handler with bearer-token checks: 401 when the token is
// missing, malformed, signed for another environment or expired.
func (s *Sandbox) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		env := r.PathValue("env")
		if !validEnv(env) {
			http.NotFound(w, r)
			return
		}
		mid, ok := s.verifyBearer(env, r.Header.Get("Authorization"))
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeJSON(w, http.StatusUnauthorized, map[string]any{"status": 401, "title": "Unauthorized"})
			return
		}
		ctx := context.WithValue(r.Context(), principalKey{}, principal{env, mid})
		h(w, r.WithContext(ctx))
	}
}

// verifyBearer returns the merchant a valid token belongs to.
func (s *Sandbox) verifyBearer(env, header string) (string, bool) {
	raw, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || raw == "" {
		return "", false
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return s.jwtKeys[env], nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(s.now),
		jwt.WithExpirationRequired(), jwt.WithIssuer(tokenIssuer))
	if err != nil {
		return "", false
	}
	mid, _ := claims["custom:mid"].(string)
	s.mu.RLock()
	defer s.mu.RUnlock()
	return mid, s.merchants[envKey{env, mid}] != nil
}

func principalOf(r *http.Request) principal {
	p, _ := r.Context().Value(principalKey{}).(principal)
	return p
}

// writeTitled answers with the titled ModelState shape.
func writeTitled(w http.ResponseWriter, status int, fields map[string][]string) {
	writeJSON(w, status, map[string]any{
		"type":  "https://tools.ietf.org/html/rfc7231#section-6.5.1",
		"title": "One or more validation errors occurred.", "status": status,
		"traceId": traceID(), "errors": fields,
	})
}

// writeFlat answers with the flat ModelState shape the 2024 sandbox used.
func writeFlat(w http.ResponseWriter, fields map[string][]string) {
	body := map[string][]string{"TraceId": {traceID()}}
	for k, v := range fields {
		body[k] = v
	}
	writeJSON(w, http.StatusBadRequest, body)
}

func traceID() string {
	id := strings.ReplaceAll(uuid.NewString(), "-", "")
	return "00-" + id + "-" + id[:16] + "-01"
}

// writeStatus answers a non-validation refusal in the envelope shape.
func writeStatus(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{
		"success": false, "result": msg, "status": http.StatusText(status),
		"statusCode": strconv.Itoa(status), "errors": []any{}, "customProperties": map[string]any{},
	})
}
