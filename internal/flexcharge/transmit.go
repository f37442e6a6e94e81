package flexcharge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// transmitResponse is the part of the /transmit answer the client keeps.
type transmitResponse struct {
	TransmitID string `json:"transmitId"`
}

// ErrMaybeTwice comes with a key from Transmit when an earlier attempt was
// sent and its answer lost: FlexCharge may hold two copies, and the caller
// must say so (/transmit has no idempotency key).
var ErrMaybeTwice = errors.New("an earlier attempt's answer was lost: FlexCharge may hold two copies")

// ErrMaybeSent comes with a failed Transmit when FlexCharge may hold the
// copy although no key came back: an attempt was sent and its answer lost
// before the call failed, or FlexCharge took it (a 2xx it did not refuse)
// in an answer whose key could not be read. The caller must say so.
var ErrMaybeSent = errors.New("FlexCharge may hold this copy: an attempt reached it and no key came back")

// ErrTaken comes, with ErrMaybeSent, when FlexCharge answered a transmit
// with a 2xx it did not refuse but no key could be read from it: it holds
// the copy, so a resend would certainly be a second (Permanent says so).
var ErrTaken = errors.New("FlexCharge took it (a 2xx answer) without a readable key: it is not sent again")

// Transmit sends a copy of one processed payment and returns its transaction
// key (transmitId). /transmit is not idempotent: a retry after a lost answer
// (a timeout, a dropped connection) may deliver the copy twice, and then the
// key comes with ErrMaybeTwice, or, when the call fails in the end, the
// error with ErrMaybeSent. A 4xx answer (other than 401/408/429) is never
// retried.
func (c *Client) Transmit(ctx context.Context, cr Credentials, t TransmitRequest) (string, error) {
	body, err := json.Marshal(t)
	if err != nil {
		return "", fmt.Errorf("encode transmit of transaction %q: %w", t.Transaction.ID, err)
	}
	var tr transmitResponse
	r := request{method: http.MethodPost, path: "/transmit", body: body, cr: cr, auth: true}
	resp, err := c.answer(ctx, r, &tr)
	if err == nil && tr.TransmitID == "" {
		err = errors.New("answer has no transmitId")
	}
	var refused *APIError
	taken := resp.status/100 == 2 && !errors.As(err, &refused)
	switch {
	case err != nil && taken:
		return "", fmt.Errorf("transmit transaction %q: %w; %w; %w", t.Transaction.ID, err, ErrMaybeSent, ErrTaken)
	case err != nil && resp.afterLoss:
		return "", fmt.Errorf("transmit transaction %q: %w; %w", t.Transaction.ID, err, ErrMaybeSent)
	case err != nil:
		return "", fmt.Errorf("transmit transaction %q: %w", t.Transaction.ID, err)
	case resp.afterLoss:
		return tr.TransmitID, fmt.Errorf("transmit transaction %q: %w", t.Transaction.ID, ErrMaybeTwice)
	}
	return tr.TransmitID, nil
}
