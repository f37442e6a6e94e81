package gen

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/flexcharge/flexrecon/internal/recon"
)

type site struct {
	url, descriptor string
	siteID          map[recon.Environment]string
	campaign        string
}

type switchSet struct {
	profile   recon.Profile
	state     recon.SwitchState
	effective time.Time
	site      string // "" unless site-scoped
	campaign  string // "" unless campaign-scoped
	reason    string
}

type merchant struct {
	id, name string
	mid      map[recon.Environment]string
	sites    []site
	switches []switchSet
}

// registry builds the three merchants of every generated data set. Their
// switches cover each scope, and one changes in the middle of the last day:
// MIT of M001 goes from off to production at noon.
func registry(r *rand.Rand, lastDay time.Time) []merchant {
	longAgo := lastDay.AddDate(0, -3, 0)
	noon := lastDay.Add(12 * time.Hour)
	ms := []merchant{
		{id: "M001", name: "Acme Outdoor", sites: sites(r, "acme", "ACME", ""), switches: []switchSet{
			{profile: recon.CITWeb, state: recon.OnProduction, effective: longAgo, reason: "go-live"},
			{profile: recon.CITCallCenter, state: recon.OnSandbox, effective: longAgo, reason: "call center in test"},
			{profile: recon.MIT, state: recon.Off, effective: longAgo, reason: "not onboarded"},
			{profile: recon.MIT, state: recon.OnProduction, effective: noon, reason: "MIT go-live"},
		}},
		{id: "M002", name: "Brightline Fitness", sites: sites(r, "brightline", "BRIGHTLN", ""), switches: []switchSet{
			{profile: recon.CITWeb, state: recon.OnSandbox, effective: longAgo, reason: "web in test"},
			{profile: recon.MIT, state: recon.OnProduction, effective: longAgo, reason: "MIT live first"},
			{profile: recon.CITCallCenter, state: recon.Off, effective: longAgo, reason: "no call center"},
		}},
		{id: "M003", name: "Copperleaf Books", sites: sites(r, "copperleaf", "COPPERLF", "winter"), switches: []switchSet{
			{profile: recon.CITWeb, state: recon.OnProduction, effective: longAgo, reason: "go-live"},
			{profile: recon.CITCallCenter, state: recon.OnProduction, effective: longAgo, reason: "go-live"},
			{profile: recon.MIT, state: recon.OnProduction, effective: longAgo, reason: "go-live"},
			{profile: recon.MIT, state: recon.Off, effective: longAgo, campaign: "winter", reason: "winter campaign excluded"},
		}},
	}
	// Brightline's second site keeps web traffic off: a site switch beats the merchant's.
	ms[1].switches = append(ms[1].switches, switchSet{profile: recon.CITWeb, state: recon.Off,
		effective: longAgo, site: ms[1].sites[1].url, reason: "second site not enrolled"})
	for i := range ms {
		ms[i].mid = map[recon.Environment]string{recon.Sandbox: guid(r), recon.Production: guid(r)}
	}
	return ms
}

func sites(r *rand.Rand, host, descriptor, campaign string) []site {
	out := make([]site, 2)
	for i := range out {
		out[i] = site{
			url:        fmt.Sprintf("https://%s%d.example", host, i+1),
			descriptor: fmt.Sprintf("%s*SHOP%d", descriptor, i+1),
			siteID:     map[recon.Environment]string{recon.Sandbox: guid(r), recon.Production: guid(r)},
		}
	}
	out[0].campaign = campaign
	return out
}

// stateAt is the switch in force for a transaction: campaign beats site beats
// merchant, and within a scope the latest effective at or before the time.
func (m merchant) stateAt(p recon.Profile, siteURL, campaign string, at time.Time) recon.SwitchState {
	best, bestRank, bestAt := recon.Off, -1, time.Time{}
	for _, s := range m.switches {
		rank := 0
		switch {
		case s.campaign != "" && s.campaign == campaign:
			rank = 2
		case s.site != "" && s.site == siteURL:
			rank = 1
		case s.campaign != "" || s.site != "":
			continue
		}
		if s.profile != p || s.effective.After(at) {
			continue
		}
		if rank > bestRank || rank == bestRank && !s.effective.Before(bestAt) {
			best, bestRank, bestAt = s.state, rank, s.effective
		}
	}
	return best
}

func guid(r *rand.Rand) string {
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", r.Uint32(), r.Uint32()&0xffff, 0x4000|r.Uint32()&0x0fff,
		0x8000|r.Uint32()&0x3fff, r.Uint64()&0xffffffffffff)
}
