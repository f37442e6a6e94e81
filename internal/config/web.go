package config

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// Web is where the service listens, who may sign in, and the keys that prove
// sessions and FlexCharge webhooks genuine.
type Web struct {
	Addr string `toml:"addr"`
	// SessionKey signs session cookies; without it a random key is made at
	// start, so sessions end when the service restarts.
	SessionKey Secret `toml:"session_key"`
	// Secure marks cookies Secure even when TLS ends at a proxy in front.
	Secure bool   `toml:"secure_cookies"`
	Users  []User `toml:"users"`
	// WebhookKeys are the subscriber keys (base64, as FlexCharge shows them)
	// per environment that deliveries to /webhooks/flexcharge are signed with.
	WebhookKeys map[string]Secret `toml:"webhook_keys"`
}

// User is someone who may sign in to the pages.
type User struct {
	Name         string `toml:"name"`
	Role         string `toml:"role"`          // finance | ops | admin
	PasswordHash string `toml:"password_hash"` // bcrypt; never a password
}

// Roles a user may have, weakest first.
var Roles = []string{"finance", "ops", "admin"}

func (c *Config) validateWeb(fe *fieldErrors) {
	if c.Web.SessionKey.Ref != "" {
		if err := c.Web.SessionKey.resolve(c.Dir); err != nil {
			fe.add("web.session_key", "%v", err)
		}
	}
	seen := map[string]bool{}
	for i, u := range c.Web.Users {
		key := fmt.Sprintf("web.users[%d]", i)
		if u.Name == "" || seen[u.Name] {
			fe.add(key+".name", "missing or duplicate name %q", u.Name)
		}
		seen[u.Name] = true
		if !validRole(u.Role) {
			fe.add(key+".role", "%q is not one of %s", u.Role, strings.Join(Roles, ", "))
		}
		if !strings.HasPrefix(u.PasswordHash, "$2") {
			fe.add(key+".password_hash", "want a bcrypt hash ($2a$/$2b$...), never a password")
		}
	}
	decoded := map[string]string{}
	for env, k := range c.Web.WebhookKeys {
		if env != "production" && env != "sandbox" {
			fe.add("web.webhook_keys."+env, "want production or sandbox: a key verifies its environment's deliveries")
		}
		if err := k.resolve(c.Dir); err != nil {
			fe.add("web.webhook_keys."+env, "%v", err)
		} else if b, err := base64.StdEncoding.DecodeString(k.Value()); err != nil {
			fe.add("web.webhook_keys."+env, "the key is not base64, as FlexCharge shows subscriber keys")
		} else {
			decoded[env] = string(b)
		}
		c.Web.WebhookKeys[env] = k
	}
	// A delivery is of the environment whose key verifies it: with one key
	// for both, production events could be taken for sandbox ones (and
	// refused) or the reverse, depending on which key is tried first.
	// Keys are compared as the service uses them, decoded: base64 text may
	// differ where the key does not (a line break, as a secret mounted
	// from a file into the environment ends in).
	if sb := decoded["sandbox"]; sb != "" && sb == decoded["production"] {
		fe.add("web.webhook_keys.sandbox", "the same key as production's: each environment's subscription has its own")
	}
}

func validRole(r string) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}
