package flexcharge

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

// Credentials of one merchant in one FlexCharge environment. Every way of
// printing them (fmt verbs, slog, JSON) shows the MID only, so they can be
// passed around and logged without leaking the secret.
type Credentials struct {
	MID       string
	AppKey    string
	AppSecret string
}

// redacted is the printable form: the MID identifies the merchant, nothing else does.
func (c Credentials) redacted() string {
	return fmt.Sprintf("flexcharge.Credentials{MID:%q, AppKey:[redacted], AppSecret:[redacted]}", c.MID)
}

// String returns the credentials with AppKey and AppSecret redacted.
func (c Credentials) String() string { return c.redacted() }

// GoString returns the credentials with AppKey and AppSecret redacted, for %#v.
func (c Credentials) GoString() string { return c.redacted() }

// Format redacts for every verb, including %+v, which would otherwise bypass String.
func (c Credentials) Format(f fmt.State, _ rune) { fmt.Fprint(f, c.redacted()) }

// LogValue makes slog print the MID only, whatever the handler.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("mid", c.MID), slog.String("appKey", "[redacted]"))
}

// MarshalJSON redacts too, so a configuration or debug dump never holds secrets.
func (c Credentials) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"mid": c.MID, "appKey": "[redacted]", "appSecret": "[redacted]"})
}

// Order status codes as GET /orders reports them. Unknown codes are not final.
const (
	StatusDraft           = 0
	StatusOnHold          = 1
	StatusCancelled       = 2
	StatusProblem         = 3
	StatusProcessing      = 4
	StatusCaptureRequired = 5
	StatusReturned        = 6
	StatusCompleted       = 7
)

var statusNames = map[int]string{
	StatusDraft: "DRAFT", StatusOnHold: "ONHOLD", StatusCancelled: "CANCELLED",
	StatusProblem: "PROBLEM", StatusProcessing: "PROCESSING",
	StatusCaptureRequired: "CAPTUREREQUIRED", StatusReturned: "RETURNED",
	StatusCompleted: "COMPLETED",
}

// StatusName returns the upper-case name of an order status code, or "" if unknown.
func StatusName(code int) string { return statusNames[code] }

// Order is one FlexCharge order (a rescue attempt) as GET /orders returns it.
// Field names beyond id, status, statusName, orderPlacedDate, expiryDate and
// currencyCode are assumed by the contract. Amount and IsMIT are nil when
// an order does not carry them (or carries null): a name guessed wrong must
// read as unknown, never as 0 or false, which would put every order at odds
// with its decline. An order without createdOn was created when it was placed.
type Order struct {
	ID                string     `json:"id"`
	ExternalOrderID   string     `json:"externalOrderId"`
	MID               string     `json:"mid"`
	Amount            *int64     `json:"amount"`
	CurrencyCode      string     `json:"currencyCode"`
	IsMIT             *bool      `json:"isMIT"`
	OrderSource       string     `json:"orderSource"`
	SiteID            string     `json:"siteId"`
	SiteURL           string     `json:"siteUrl"`
	DynamicDescriptor string     `json:"dynamicDescriptor"`
	TransactionID     string     `json:"transactionId"`
	Status            int        `json:"status"`
	StatusName        string     `json:"statusName"`
	OrderPlacedDate   time.Time  `json:"orderPlacedDate"`
	CreatedOn         time.Time  `json:"createdOn"`
	ExpiryDate        *time.Time `json:"expiryDate"`
	IsTestMode        bool       `json:"isTestMode"`
}

// OrderQuery filters GET /orders. Zero From or To leaves that end open; an
// empty Status means every status.
type OrderQuery struct {
	From, To time.Time
	Status   []int
	PageSize int // default: the API's maximum, 1000
}

// TransmitRequest is the body of POST /transmit: a copy of one processed payment.
type TransmitRequest struct {
	OrderID       string                `json:"orderId"`
	IsDeclined    bool                  `json:"isDeclined"`
	IsMIT         bool                  `json:"isMIT"`
	IsRecurring   bool                  `json:"isRecurring"`
	OrderSource   string                `json:"orderSource,omitempty"`
	MID           string                `json:"mid"`
	SiteID        string                `json:"siteId,omitempty"`
	SiteURL       string                `json:"siteUrl,omitempty"`
	Transaction   TransmitTransaction   `json:"transaction"`
	PaymentMethod TransmitPaymentMethod `json:"paymentMethod"`
	Merchant      TransmitMerchant      `json:"merchant"`
}

// TransmitTransaction is the transaction object of a transmit. Amount is in cents.
type TransmitTransaction struct {
	ID                  string    `json:"id"`
	TimestampUTC        time.Time `json:"timestampUtc"`
	TimezoneUTCOffset   int       `json:"timezoneUtcOffset"`
	Amount              int64     `json:"amount"`
	Currency            string    `json:"currency"`
	ResponseCode        string    `json:"responseCode"`
	ResponseCodeSource  string    `json:"responseCodeSource"`
	ResponseDescription string    `json:"responseDescription,omitempty"`
	DynamicDescriptor   string    `json:"dynamicDescriptor,omitempty"`
}

// TransmitPaymentMethod identifies the card by BIN and last four digits, never
// by its full number.
type TransmitPaymentMethod struct {
	CardBinNumber   string `json:"cardBinNumber"`
	CardLast4Digits string `json:"cardLast4Digits"`
}

// TransmitMerchant names the merchant a partner transmits for.
type TransmitMerchant struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}
