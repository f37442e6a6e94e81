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
	sws, err := s.opts.DB.Switches(r.Context(), "")
	if err != nil {
		s.fail(w, err)
		return
	}
	s.render(w, "merchants", page{User: userOf(r), Data: groupSwitches(sws, s.opts.Now())})
}

// groupSwitches groups the history (sorted by merchant, profile, effective
// time) by merchant; the last switch in effect per profile and scope is current.
func groupSwitches(sws []store.Switch, now time.Time) []merchantView {
	var out []merchantView
	current := map[string]int{}
	for _, sw := range sws {
		if len(out) == 0 || out[len(out)-1].ID != sw.MerchantID {
			out = append(out, merchantView{ID: sw.MerchantID})
			clear(current)
		}
		m := &out[len(out)-1]
		m.History = append(m.History, sw)
		if sw.EffectiveAt.After(now) {
			continue
		}
		key := sw.Profile + "|" + sw.Scope + "|" + sw.ScopeValue
		if i, ok := current[key]; ok {
			m.Current[i] = sw
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
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	err = s.opts.DB.RecordSwitch(r.Context(), sw)
	if errors.Is(err, store.ErrUnknownTarget) {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err != nil {
		s.fail(w, err)
		return
	}
	s.audit(r, sw.Actor, "switch", fmt.Sprintf("%s %s %s %s → %s: %s", sw.MerchantID, sw.Profile, sw.Scope, sw.ScopeValue, sw.State, sw.Reason))
	http.Redirect(w, r, "/merchants", http.StatusSeeOther)
}

func (s *Server) switchFromForm(r *http.Request) (store.Switch, error) {
	now := s.opts.Now().UTC()
	sw := store.Switch{MerchantID: r.PathValue("id"), Scope: r.PostFormValue("scope"), ScopeValue: r.PostFormValue("scope_value"),
		Reason: r.PostFormValue("reason"), Actor: userOf(r).Name, RecordedAt: now, EffectiveAt: now, Origin: "web"}
	p, err := recon.ParseProfile(r.PostFormValue("profile"))
	if err != nil {
		return sw, err
	}
	st, err := recon.ParseSwitchState(r.PostFormValue("state"))
	if err != nil {
		return sw, err
	}
	sw.Profile, sw.State = string(p), string(st)
	if sw.Scope == "" {
		sw.Scope = "merchant"
	}
	if e := r.PostFormValue("effective"); e != "" {
		// The form's local time is placed as DuckDB places the ledger's
		// (recon.WallClock), not by time.ParseInLocation, which differs on
		// transition nights.
		wall, err := time.Parse("2006-01-02T15:04", e)
		if err != nil {
			return sw, fmt.Errorf("effective: want a local date and time")
		}
		sw.EffectiveAt = recon.WallClock(wall, s.opts.Location)
	}
	switch {
	case sw.Reason == "":
		return sw, fmt.Errorf("a reason is required")
	case sw.Scope != "merchant" && sw.Scope != "site" && sw.Scope != "campaign":
		return sw, fmt.Errorf("scope: want merchant, site or campaign")
	case (sw.Scope == "merchant") != (sw.ScopeValue == ""):
		return sw, fmt.Errorf("scope_value: a site URL or campaign id for those scopes, nothing for merchant")
	}
	return sw, nil
}
