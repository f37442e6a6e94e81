package web

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/flexcharge/flexrecon/internal/recon"
	"github.com/flexcharge/flexrecon/internal/store"
)

// merchantView is one merchant's switches: those in force now and the history.
type merchantView struct {
	ID      string
	Current []store.Switch
	History []store.Switch
}

func (s *Server) merchantsPage(w http.ResponseWriter, r *http.Request) {
	ids, err := s.opts.DB.MerchantIDs(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sws, err := s.opts.DB.Switches(r.Context(), "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "merchants", page{User: userOf(r), Data: groupSwitches(ids, sws, s.opts.Now())})
}

// groupSwitches groups the history (sorted by merchant, profile, effective
// time) under each of the merchants ids, those without a switch too, so
// that their first one can be recorded; the last switch in effect per
// profile and scope is current.
func groupSwitches(ids []string, sws []store.Switch, now time.Time) []merchantView {
	out := make([]merchantView, len(ids))
	at := map[string]int{}
	for i, id := range ids {
		out[i].ID, at[id] = id, i
	}
	current := map[string]int{}
	for _, sw := range sws {
		i, ok := at[sw.MerchantID]
		if !ok { // the registry records no switch of a merchant it does not have
			continue
		}
		m := &out[i]
		m.History = append(m.History, sw)
		if sw.EffectiveAt.After(now) {
			continue
		}
		key := sw.MerchantID + "|" + sw.Profile + "|" + sw.Scope + "|" + sw.ScopeValue
		if j, ok := current[key]; ok {
			m.Current[j] = sw
			continue
		}
		current[key] = len(m.Current)
		m.Current = append(m.Current, sw)
	}
	return out
}

// changeSwitch records a switch change an ops user made, with the reason.
func (s *Server) changeSwitch(w http.ResponseWriter, r *http.Request) {
	sw, err := s.switchFromForm(r)
	if err == nil {
		_, err = s.recordSwitch(r, sw)
	}
	if s.switchFailed(w, r, err) {
		return
	}
	http.Redirect(w, r, "/merchants", http.StatusSeeOther)
}

// apiSwitches lists the switch history, of ?merchant= or of every merchant.
func (s *Server) apiSwitches(w http.ResponseWriter, r *http.Request) {
	sws, err := s.opts.DB.Switches(r.Context(), r.URL.Query().Get("merchant"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sws)
}

// apiChangeSwitch records a switch change given as JSON with store.Switch's
// names (merchant_id, profile, state, scope, scope_value, effective_at in
// RFC 3339, reason; any other is refused), made by the signed-in user, and
// answers it as recorded, with its id.
func (s *Server) apiChangeSwitch(w http.ResponseWriter, r *http.Request) {
	var sw store.Switch
	if !readJSON(w, r, &sw, "a switch's fields") {
		return
	}
	sw.ID, sw.Actor, sw.RecordedAt, sw.Origin = 0, userOf(r).Name, s.opts.Now().UTC(), "api"
	err := checkSwitch(&sw)
	if err == nil {
		sw, err = s.recordSwitch(r, sw)
	}
	if !s.switchFailed(w, r, err) {
		writeJSON(w, http.StatusCreated, sw)
	}
}

// recordSwitch records sw and audits it.
func (s *Server) recordSwitch(r *http.Request, sw store.Switch) (store.Switch, error) {
	sw, err := s.opts.DB.RecordSwitch(r.Context(), sw)
	if err != nil {
		return sw, err
	}
	s.audit(r, sw.Actor, "switch", fmt.Sprintf("%s %s %s %s → %s: %s", sw.MerchantID, sw.Profile, sw.Scope, sw.ScopeValue, sw.State, sw.Reason))
	return sw, nil
}

// switchFailed answers a change that was not recorded, and says whether
// there was one: a bad change is the asker's (400), anything else ours.
func (s *Server) switchFailed(w http.ResponseWriter, r *http.Request, err error) bool {
	var bad badSwitch
	switch {
	case err == nil:
		return false
	case errors.Is(err, store.ErrUnknownTarget) || errors.As(err, &bad):
		writeError(w, r, http.StatusBadRequest, err.Error())
	default:
		s.fail(w, r, err)
	}
	return true
}

func (s *Server) switchFromForm(r *http.Request) (store.Switch, error) {
	now := s.opts.Now().UTC()
	sw := store.Switch{MerchantID: r.PathValue("id"), Scope: r.PostFormValue("scope"), ScopeValue: r.PostFormValue("scope_value"),
		Profile: r.PostFormValue("profile"), State: r.PostFormValue("state"),
		Reason: r.PostFormValue("reason"), Actor: userOf(r).Name, RecordedAt: now, EffectiveAt: now, Origin: "web"}
	if e := r.PostFormValue("effective"); e != "" {
		// The form's local time is placed as DuckDB places the ledger's
		// (recon.WallClock), not by time.ParseInLocation, which differs on
		// transition nights.
		wall, err := time.Parse("2006-01-02T15:04", e)
		if err != nil {
			return sw, badSwitch{errors.New("effective: want a local date and time")}
		}
		sw.EffectiveAt = recon.WallClock(wall, s.opts.Location)
	}
	return sw, checkSwitch(&sw)
}

// badSwitch is a change refused for what it says: the asker's to fix.
type badSwitch struct{ error }

// checkSwitch refuses a change the registry must not record, and spells
// its profile, state and scope as the registry does.
func checkSwitch(sw *store.Switch) error {
	p, err := recon.ParseProfile(sw.Profile)
	if err != nil {
		return badSwitch{err}
	}
	st, err := recon.ParseSwitchState(sw.State)
	if err != nil {
		return badSwitch{err}
	}
	sw.Profile, sw.State = string(p), string(st)
	if sw.Scope == "" {
		sw.Scope = "merchant"
	}
	switch {
	case sw.MerchantID == "":
		return badSwitch{errors.New("a merchant is required")}
	case sw.Reason == "":
		return badSwitch{errors.New("a reason is required")}
	case sw.Scope != "merchant" && sw.Scope != "site" && sw.Scope != "campaign":
		return badSwitch{errors.New("scope: want merchant, site or campaign")}
	case (sw.Scope == "merchant") != (sw.ScopeValue == ""):
		return badSwitch{errors.New("scope_value: a site URL or campaign id for those scopes, nothing for merchant")}
	case sw.EffectiveAt.IsZero():
		return badSwitch{errors.New("effective: when the change takes effect is required")}
	}
	return nil
}
