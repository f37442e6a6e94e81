package flexcharge

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestDecodeOrdersPageRoundTrip reads back what the sandbox writes.
func TestDecodeOrdersPageRoundTrip(t *testing.T) {
	exp := time.Date(2025, 3, 15, 8, 0, 0, 123456789, time.UTC)
	want := []Order{
		{ID: "a", ExternalOrderID: `ext "quoted" \ é`, MID: credA.MID, Amount: new(int64(-1999)), CurrencyCode: "USD",
			IsMIT: new(true), OrderSource: "recurring", SiteID: "s", SiteURL: "https://shop.example/?a=1&b=<2>",
			DynamicDescriptor: "SHOP*A", TransactionID: "tx", Status: StatusDraft, StatusName: "DRAFT",
			OrderPlacedDate: t0, CreatedOn: t0.Add(time.Second), ExpiryDate: &exp, IsTestMode: true},
		{ID: "b", MID: credA.MID, Status: StatusCompleted, StatusName: "COMPLETED", CreatedOn: t0},
	}
	body, err := json.Marshal(pageBody(orderFilter{pageNumber: 2, pageSize: 2}, want, 5))
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeOrdersPage(body)
	if err != nil {
		t.Fatalf("decodeOrdersPage(%s): %v", body, err)
	}
	wantPage := ordersPage{PageNumber: 2, PageSize: 2, PageCount: 3, HasNextPage: true, TotalItemCount: 5, Rows: want}
	if diff := cmp.Diff(wantPage, got); diff != "" {
		t.Errorf("decodeOrdersPage(%s) (-want +got):\n%s", body, diff)
	}
}

// TestDecodeOrdersPageContract covers what the contract allows beyond what
// the sandbox writes: unknown fields of any shape, nulls, names in another
// case, zone-less and offset times, a missing statusName; an amount or isMIT
// of null is unknown (nil), of 0 or false known; an order without createdOn
// was created when placed.
func TestDecodeOrdersPageContract(t *testing.T) {
	body := ` { "success" : true, "extra": {"a": [1, 2.5e3, "x\"]", null, {"b": false}]},
		"ROWS": [ {"id": "o\u00e9", "Status": 6, "statusName": null, "amount": null, "isMIT": null,
			"createdOn": "2023-03-20T17:16:40.898703", "orderPlacedDate": "2023-03-20T12:16:40-05:00",
			"expiryDate": "", "more": [[], {}], "siteUrl": null},
			null,
			{"id": "p", "amount": 0, "isMIT": false, "orderPlacedDate": "2023-03-20T12:16:40Z"} ],
		"hasNextPage": false, "pageCount": 1 } `
	got, err := decodeOrdersPage([]byte(body))
	if err != nil {
		t.Fatalf("decodeOrdersPage: %v", err)
	}
	yes := true
	created := time.Date(2023, 3, 20, 17, 16, 40, 898703000, time.UTC)
	placed := time.Date(2023, 3, 20, 12, 16, 40, 0, time.UTC)
	want := ordersPage{PageCount: 1, Success: &yes, Rows: []Order{
		{ID: "oé", Status: StatusReturned, StatusName: "RETURNED", CreatedOn: created, OrderPlacedDate: created.Truncate(time.Second)},
		{StatusName: "DRAFT"},
		{ID: "p", Amount: new(int64(0)), IsMIT: new(false), StatusName: "DRAFT", CreatedOn: placed, OrderPlacedDate: placed},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decodeOrdersPage(%s) (-want +got):\n%s", body, diff)
	}
}

func TestDecodeOrdersPageRefusesMalformed(t *testing.T) {
	for _, body := range []string{
		``, `{`, `{"rows": [}`, `{"rows": [{"id": "a"}] x`, `{"rows": [{"amount": 1.5}]}`,
		`{"rows": [{"amount": 99999999999999999999}]}`, `{"rows": [{"createdOn": "yesterday"}]}`,
		`{"rows": [{"id": "a` + "\n" + `"}]}`, `{"pageCount": tru}`, `{"x": 01.}`, `{"x": -}`, `[]`,
		`{"items": [{"id": "a"}], "hasNextPage": false, "success": true}`, `{}`,
	} {
		if _, err := decodeOrdersPage([]byte(body)); err == nil {
			t.Errorf("decodeOrdersPage(%q) = nil error, want one", body)
		}
	}
}

// TestParseWireTime checks the digit-by-digit path against time.Parse with
// the layouts, which judge every other form.
func TestParseWireTime(t *testing.T) {
	for _, s := range []string{
		"2025-03-01T10:20:30Z", "2025-03-01T10:20:30.5Z", "2025-03-01T10:20:30.123456789+05:30",
		"2025-03-01T10:20:30-00:00", "2025-03-01T10:20:30.898703", "2024-02-29T00:00:00",
		"2025-12-31T23:59:59.999999999-23:59", "2025-03-01", " 2025-03-01T10:20:30Z ",
	} {
		var want time.Time
		for _, layout := range wireLayouts {
			if v, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
				want = v.UTC()
				break
			}
		}
		got, err := parseWireTime([]byte(s))
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("parseWireTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"2025-02-30T00:00:00Z", "2025-03-01T24:00:00Z", "2025-03-01T10:20:30.Z", "2025-13-01"} {
		if got, err := parseWireTime([]byte(s)); err == nil {
			t.Errorf("parseWireTime(%q) = %v, want an error", s, got)
		}
	}
}
