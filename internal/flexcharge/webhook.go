package flexcharge

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Webhook header names, as FlexCharge sends them.
const (
	HeaderNonce         = "x-fc-nonce"
	HeaderDate          = "x-fc-date"
	HeaderContentSHA512 = "x-fc-content-sha512"
	HeaderAuthorization = "x-fc-authorization"
	HeaderSignature     = "x-fc-signature"
)

// authPrefix precedes the signature in x-fc-authorization.
const authPrefix = "HMAC-SHA512 SignedHeaders=x-fc-nonce;x-fc-date;host;x-fc-content-sha512&Signature="

// WebhookEvent is the body of a webhook delivery. Keys are PascalCase and the
// body is not sent as application/json, so receivers must read it raw.
type WebhookEvent struct {
	Event           string          `json:"Event"`
	TimeStamp       time.Time       `json:"TimeStamp"`
	EventData       json.RawMessage `json:"EventData"`
	ExternalOrderID string          `json:"ExternalOrderId"`
	OrderID         string          `json:"OrderId"`
	ConfirmationID  string          `json:"ConfirmationId"`
	IsTestMode      bool            `json:"IsTestMode"`
	IsResent        bool            `json:"IsResent"`
}

// Webhook event names this project produces or consumes.
const (
	EventOrderCompleted  = "order.completed"
	EventOrderCancelled  = "order.cancelled"
	EventOrderExpired    = "order.expired"
	EventOrderRefunded   = "order.refunded"
	EventCaptureRequired = "order.capturerequired"
	EventChargeback      = "payment.chargeback.received"
)

// ErrWebhookSignature is returned by VerifyWebhook for unsigned or mismatched deliveries.
var ErrWebhookSignature = errors.New("webhook signature mismatch")

// SignWebhook returns the five signature headers FlexCharge puts on a delivery
// of body to host, with key the base64-decoded subscriber key.
func SignWebhook(key []byte, host string, body []byte, now time.Time, nonce string) http.Header {
	content := contentHash(body)
	date := now.UTC().Format(http.TimeFormat)
	h := http.Header{}
	h.Set(HeaderNonce, nonce)
	h.Set(HeaderDate, date)
	h.Set(HeaderContentSHA512, content)
	h.Set(HeaderAuthorization, authPrefix+authSignature(key, nonce, date, host, content))
	h.Set(HeaderSignature, mac(key, body))
	return h
}

// VerifyWebhook checks both signatures of a delivery received on host (the
// request's Host). It recomputes everything from the raw body, so a body
// that was re-encoded in transit fails. It does not judge the date: resent
// deliveries carry old ones, and receivers deduplicate events anyway.
func VerifyWebhook(key []byte, host string, h http.Header, body []byte) error {
	content := contentHash(body)
	switch {
	case len(key) == 0:
		return errors.New("verify webhook: no key")
	case !equal(h.Get(HeaderContentSHA512), content):
		return fmt.Errorf("%w: content hash differs", ErrWebhookSignature)
	case !equal(h.Get(HeaderSignature), mac(key, body)):
		return fmt.Errorf("%w: body signature differs", ErrWebhookSignature)
	}
	auth, ok := strings.CutPrefix(h.Get(HeaderAuthorization), authPrefix)
	want := authSignature(key, h.Get(HeaderNonce), h.Get(HeaderDate), host, content)
	if !ok || !equal(auth, want) {
		return fmt.Errorf("%w: authorization signature differs", ErrWebhookSignature)
	}
	return nil
}

func contentHash(body []byte) string {
	sum := sha512.Sum512(body)
	return base64.StdEncoding.EncodeToString(sum[:])
}

func authSignature(key []byte, nonce, date, host, content string) string {
	return mac(key, []byte("POST\n"+nonce+";"+date+";"+host+";"+content))
}

func mac(key, msg []byte) string {
	m := hmac.New(sha512.New, key)
	m.Write(msg)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// equal compares in constant time, and never accepts a missing header.
func equal(got, want string) bool {
	return got != "" && hmac.Equal([]byte(got), []byte(want))
}
