package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"iter"
	"slices"
)

// nameSlots is how many slots the throttle counts one address's sign-ins in.
const nameSlots = 64

// slotter sorts the names sign-ins are sent as into nameSlots slots, which
// the throttle counts failures by (with the client's address). A configured
// name and any other fall in a slot the same way, so that a lockout answers
// the same whether a name exists or not: were names no user has counted
// together, as they once were, five of them failing from one address would
// lock every other unknown name out there, and a name still answered 401
// would be a user's. Where a name falls is keyed at random per process, so
// it cannot be worked out from outside; the slot is all that is kept of a
// name, never the name, which is often a password typed in the wrong field.
// One address thus holds nameSlots keys at most, however many names it
// tries, and cannot flush its own counts from the throttle's bounded table.
//
// Configured names are given slots of their own while there are no more of
// them than slots, so that a user's mistyped passwords never lock a
// colleague out behind the same address (a mistyped name may fall in a
// colleague's slot); other names may share theirs, which lets a guesser
// lock out from its own address a user it could lock out by guessing their
// name.
type slotter struct {
	key   []byte
	users map[string]int
}

func newSlotter(users iter.Seq[string]) slotter {
	s := slotter{key: []byte(rand.Text()), users: map[string]int{}}
	taken := make([]bool, nameSlots)
	for _, name := range slices.Sorted(users) {
		slot := s.hash(name)
		for i := 0; i < nameSlots && taken[slot]; i++ {
			slot = (slot + 1) % nameSlots
		}
		taken[slot] = true
		s.users[name] = slot
	}
	return s
}

// of is the slot sign-ins as name are counted in.
func (s slotter) of(name string) int {
	if slot, ok := s.users[name]; ok {
		return slot
	}
	return s.hash(name)
}

func (s slotter) hash(name string) int {
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(name))
	return int(binary.BigEndian.Uint64(mac.Sum(nil)) % nameSlots)
}
