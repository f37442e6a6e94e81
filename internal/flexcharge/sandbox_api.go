package flexcharge

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// handleTransmit validates a copy, counts it as delivered and returns its key.
func (s *Sandbox) handleTransmit(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	var t TransmitRequest
	if err := json.NewDecoder(r.Body).Decode(&t); err != nil {
		writeFlat(w, map[string][]string{"$": {"The request body is not valid JSON."}})
		return
	}
	if fields := validateTransmit(p.env, t); len(fields) > 0 {
		writeFlat(w, fields)
		return
	}
	if t.MID != p.mid {
		writeStatus(w, http.StatusForbidden, "mid does not belong to these credentials")
		return
	}
	s.mu.Lock()
	s.deliveries[deliveryKey{p.env, t.MID, t.Transaction.ID}]++
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"transmitId": uuid.NewString(), "success": true, "result": "success",
		"status": nil, "statusCode": nil, "errors": []any{}, "customProperties": map[string]any{},
	})
}

// validateTransmit returns the sandbox's validation messages, keyed by field path.
func validateTransmit(env string, t TransmitRequest) map[string][]string {
	f := map[string][]string{}
	require := func(ok bool, path, msg string) {
		if !ok {
			f[path] = append(f[path], msg)
		}
	}
	require(t.OrderID != "", "OrderId", "Merchant's orderId is required")
	require(t.MID != "", "Mid", "The Mid field is required.")
	require(t.Transaction.ID != "", "Transaction.Id", "The Id field is required.")
	require(!t.Transaction.TimestampUTC.IsZero(), "Transaction.TimestampUtc", "The TimestampUtc field is required.")
	require(t.SiteURL != "" || t.Transaction.DynamicDescriptor != "", "Transaction.DynamicDescriptor",
		"The DynamicDescriptor field is required when SiteUrl is not set.")
	validateMoney(env, t.Transaction.Amount, t.Transaction.Currency, require)
	return f
}

// validateMoney applies the amount and currency rules of sandbox_rules.go.
func validateMoney(env string, amount int64, currency string, require func(bool, string, string)) {
	if env == EnvSandbox {
		require(amount >= SandboxMinAmount && amount <= SandboxMaxAmount, "Transaction.Amount",
			"The field Amount must be between "+strconv.Itoa(SandboxMinAmount)+" and "+strconv.Itoa(SandboxMaxAmount)+".")
	} else {
		require(amount > 0, "Transaction.Amount", "The field Amount must be positive.")
	}
	require(currency == SandboxCurrency, "Transaction.Currency", "The Currency must be "+SandboxCurrency+".")
}

// handleOrders lists the caller's orders page by page.
func (s *Sandbox) handleOrders(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	q := r.URL.Query()
	mid := q.Get("mid")
	if mid == "" {
		mid = p.mid
	}
	if mid != p.mid {
		writeStatus(w, http.StatusForbidden, "mid does not belong to these credentials")
		return
	}
	f, fields := parseOrderFilter(q)
	if len(fields) > 0 {
		writeTitled(w, http.StatusBadRequest, fields)
		return
	}
	s.mu.RLock()
	rows, total := s.orders.page(p.env, mid, f)
	s.mu.RUnlock()
	writeJSON(w, http.StatusOK, pageBody(f, rows, total))
}

// Paging limits of GET /orders: the API's documented default, and a cap the
// sandbox chooses (assumed) so one call cannot copy a whole merchant.
const (
	apiDefaultPageSize = 10
	apiMaxPageSize     = 1000
)

func parseOrderFilter(q url.Values) (orderFilter, map[string][]string) {
	f := orderFilter{pageNumber: 1, pageSize: apiDefaultPageSize}
	bad := map[string][]string{}
	parseInt := func(name string, dst *int, lo, hi int) {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < lo || n > hi {
				bad[name] = []string{"The value '" + v + "' is not valid for " + name + "."}
			}
			*dst = n
		}
	}
	parseInt("pageNumber", &f.pageNumber, 1, 1<<30)
	parseInt("pageSize", &f.pageSize, 1, apiMaxPageSize)
	f.from = parseQueryTime(q, "from", bad)
	f.to = parseQueryTime(q, "to", bad)
	f.statuses = parseStatuses(q, bad)
	if ob := q.Get("orderBy"); ob != "" && !strings.EqualFold(ob, "createdOn") {
		bad["orderBy"] = []string{"Only createdOn is supported."}
	}
	f.desc = strings.EqualFold(q.Get("sort"), "desc")
	return f, bad
}

func parseQueryTime(q url.Values, name string, bad map[string][]string) time.Time {
	v := q.Get(name)
	if v == "" {
		return time.Time{}
	}
	t, err := parseWireTime([]byte(v))
	if err != nil {
		bad[name] = []string{"The value '" + v + "' is not valid for " + name + "."}
	}
	return t
}

// parseStatuses accepts status=0&status=4 and status=0,4.
func parseStatuses(q url.Values, bad map[string][]string) map[int]bool {
	set := map[int]bool{}
	for _, v := range q["status"] {
		for _, part := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(part))
			if err != nil {
				bad["status"] = []string{"The value '" + v + "' is not valid for status."}
				continue
			}
			set[n] = true
		}
	}
	return set
}

// orderPage is X.PagedList metadata plus the assumed totalItemCount and
// rows; a struct, not a map, so encoding it neither sorts keys nor boxes values.
type orderPage struct {
	PageNumber      int     `json:"pageNumber"`
	PageSize        int     `json:"pageSize"`
	PageCount       int     `json:"pageCount"`
	TotalItemCount  int     `json:"totalItemCount"`
	HasNextPage     bool    `json:"hasNextPage"`
	HasPreviousPage bool    `json:"hasPreviousPage"`
	IsFirstPage     bool    `json:"isFirstPage"`
	IsLastPage      bool    `json:"isLastPage"`
	FirstItemOnPage int     `json:"firstItemOnPage"`
	LastItemOnPage  int     `json:"lastItemOnPage"`
	Rows            []Order `json:"rows"`
}

func pageBody(f orderFilter, rows []Order, total int) orderPage {
	pageCount := (total + f.pageSize - 1) / f.pageSize
	first := 0
	if len(rows) > 0 {
		first = (f.pageNumber-1)*f.pageSize + 1
	}
	return orderPage{
		PageNumber: f.pageNumber, PageSize: f.pageSize, PageCount: pageCount,
		TotalItemCount: total, HasNextPage: f.pageNumber < pageCount,
		HasPreviousPage: f.pageNumber > 1, IsFirstPage: f.pageNumber == 1,
		IsLastPage: f.pageNumber >= pageCount, FirstItemOnPage: first,
		LastItemOnPage: max(0, first+len(rows)-1), Rows: rows,
	}
}

// handleOrder returns one of the caller's orders; other merchants' orders and
// other environments' orders are not found, as they would be for real.
func (s *Sandbox) handleOrder(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	s.mu.RLock()
	o := s.orders.byID[r.PathValue("id")]
	var order Order
	found := o != nil && o.env == p.env && o.MID == p.mid
	if found {
		order = o.Order
	}
	s.mu.RUnlock()
	if !found {
		writeStatus(w, http.StatusNotFound, "order not found")
		return
	}
	writeJSON(w, http.StatusOK, order)
}
