// Package recon is the shared vocabulary of flexrecon: money in integer minor
// units, profiles, environments, switch states and the reconciliation
// categories. It imports nothing of the project, so every other package can
// depend on it.
package recon
