package flexcharge

import (
	"container/heap"
	"slices"
	"strings"
	"time"
)

// storedOrder is an order and the environment it lives in.
type storedOrder struct {
	env string
	Order
}

// orderStore indexes orders by id and by (environment, MID), the latter kept
// sorted by (createdOn, id) so a page is a binary search and a slice. It is
// guarded by the Sandbox's mutex.
type orderStore struct {
	byID       map[string]*storedOrder
	byMerchant map[envKey][]*storedOrder
}

func newOrderStore(seed []SeedOrder) *orderStore {
	st := &orderStore{
		byID:       make(map[string]*storedOrder, len(seed)),
		byMerchant: map[envKey][]*storedOrder{},
	}
	for i := range seed {
		o := &storedOrder{env: seed[i].Environment, Order: seed[i].Order}
		if o.StatusName == "" {
			o.StatusName = StatusName(o.Status)
		}
		st.byID[o.ID] = o
		k := envKey{o.env, o.MID}
		st.byMerchant[k] = append(st.byMerchant[k], o)
	}
	for _, list := range st.byMerchant {
		slices.SortFunc(list, compareOrders)
	}
	return st
}

// compareOrders is the listing order: createdOn, then id so ties are stable.
func compareOrders(a, b *storedOrder) int {
	if c := a.CreatedOn.Compare(b.CreatedOn); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

func (st *orderStore) insert(o *storedOrder) {
	st.byID[o.ID] = o
	k := envKey{o.env, o.MID}
	list := st.byMerchant[k]
	i, _ := slices.BinarySearchFunc(list, o, compareOrders)
	st.byMerchant[k] = slices.Insert(list, i, o)
}

// orderFilter is a parsed GET /orders query.
type orderFilter struct {
	from, to   time.Time // from inclusive, to exclusive; zero is open
	statuses   map[int]bool
	pageNumber int
	pageSize   int
	desc       bool
}

// page returns one page of a merchant's orders and the total number matching.
func (st *orderStore) page(env, mid string, f orderFilter) ([]Order, int) {
	list := st.byMerchant[envKey{env, mid}]
	lo, hi := 0, len(list)
	if !f.from.IsZero() {
		lo = searchCreated(list, f.from)
	}
	if !f.to.IsZero() {
		hi = max(lo, searchCreated(list, f.to))
	}
	list = list[lo:hi]
	skip := (f.pageNumber - 1) * f.pageSize
	if len(f.statuses) == 0 && !f.desc {
		// The common case costs two binary searches and one page of copying.
		end := min(len(list), skip+f.pageSize)
		return copyOrders(list[min(skip, end):end]), len(list)
	}
	return scanPage(list, f, skip)
}

// scanPage walks the range once for status filters or descending order.
func scanPage(list []*storedOrder, f orderFilter, skip int) ([]Order, int) {
	rows, total := []Order{}, 0
	for i := range list {
		o := list[i]
		if f.desc {
			o = list[len(list)-1-i]
		}
		if len(f.statuses) > 0 && !f.statuses[o.Status] {
			continue
		}
		if total >= skip && len(rows) < f.pageSize {
			rows = append(rows, o.Order)
		}
		total++
	}
	return rows, total
}

func searchCreated(list []*storedOrder, t time.Time) int {
	i, _ := slices.BinarySearchFunc(list, t, func(o *storedOrder, t time.Time) int {
		if o.CreatedOn.Before(t) {
			return -1
		}
		return 1
	})
	return i
}

func copyOrders(list []*storedOrder) []Order {
	out := make([]Order, len(list))
	for i, o := range list {
		out[i] = o.Order
	}
	return out
}

// pendingStatus reports whether a managed-MIT order can still settle or expire.
func pendingStatus(status int) bool { return status == StatusDraft || status == StatusProcessing }

// pendingItem is a managed-MIT order's next transition.
type pendingItem struct {
	due     time.Time
	orderID string
	settle  bool // complete the order; otherwise it expires
}

// pendingHeap orders transitions by due time so each tick only looks at the
// ones that are due, however many orders are seeded.
type pendingHeap []pendingItem

func (h pendingHeap) Len() int           { return len(h) }
func (h pendingHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h pendingHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *pendingHeap) Push(x any)        { *h = append(*h, x.(pendingItem)) }
func (h *pendingHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

func (h *pendingHeap) add(due time.Time, id string, settle bool) {
	heap.Push(h, pendingItem{due: due, orderID: id, settle: settle})
}

// popDue removes and returns the next item due at or before now.
func (h *pendingHeap) popDue(now time.Time) (pendingItem, bool) {
	if h.Len() == 0 || (*h)[0].due.After(now) {
		return pendingItem{}, false
	}
	return heap.Pop(h).(pendingItem), true
}
