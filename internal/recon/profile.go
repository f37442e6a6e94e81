package recon

import "fmt"

// Profile is the part of a merchant's traffic that FlexCharge is switched on for.
type Profile string

// The three profiles a partner switches independently.
const (
	CITWeb        Profile = "cit_web"
	CITCallCenter Profile = "cit_callcenter"
	MIT           Profile = "mit"
)

// Profiles lists every profile in report order.
var Profiles = []Profile{CITWeb, CITCallCenter, MIT}

// ProfileOf derives a ledger row's profile from its initiator and channel.
func ProfileOf(initiator, channel string) Profile {
	switch {
	case initiator == "MIT":
		return MIT
	case channel == "callcenter":
		return CITCallCenter
	default:
		return CITWeb
	}
}

// ParseProfile checks that s names a profile.
func ParseProfile(s string) (Profile, error) {
	for _, p := range Profiles {
		if string(p) == s {
			return p, nil
		}
	}
	return "", fmt.Errorf("unknown profile %q (want cit_web, cit_callcenter or mit)", s)
}

// Environment is a FlexCharge environment.
type Environment string

// The two FlexCharge environments.
const (
	Sandbox    Environment = "sandbox"
	Production Environment = "production"
)

// Environments lists both environments.
var Environments = []Environment{Sandbox, Production}

// ParseEnvironment checks that s names an environment.
func ParseEnvironment(s string) (Environment, error) {
	switch Environment(s) {
	case Sandbox, Production:
		return Environment(s), nil
	}
	return "", fmt.Errorf("unknown environment %q (want sandbox or production)", s)
}

// SwitchState is where a profile's traffic goes: nowhere, the sandbox or production.
type SwitchState string

// The states a profile switch can be in.
const (
	Off          SwitchState = "off"
	OnSandbox    SwitchState = "sandbox"
	OnProduction SwitchState = "production"
)

// ParseSwitchState checks that s names a switch state.
func ParseSwitchState(s string) (SwitchState, error) {
	switch SwitchState(s) {
	case Off, OnSandbox, OnProduction:
		return SwitchState(s), nil
	}
	return "", fmt.Errorf("unknown switch state %q (want off, sandbox or production)", s)
}
