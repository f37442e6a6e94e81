package flexcharge

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// transmitResponse is the part of the /transmit answer the client keeps.
type transmitResponse struct {
	TransmitID string `json:"transmitId"`
}

// Transmit sends a copy of one processed payment and returns its transaction
// key (transmitId). /transmit is not idempotent: a retry after a dropped
// connection may deliver the copy twice, which the caller's outbox accounts
// for. A 4xx answer (other than 401/408/429) is never retried.
func (c *Client) Transmit(ctx context.Context, cr Credentials, t TransmitRequest) (string, error) {
	body, err := json.Marshal(t)
	if err != nil {
		return "", fmt.Errorf("encode transmit of transaction %q: %w", t.Transaction.ID, err)
	}
	var tr transmitResponse
	r := request{method: http.MethodPost, path: "/transmit", body: body, cr: cr, auth: true}
	if err := c.call(ctx, r, &tr); err != nil {
		return "", fmt.Errorf("transmit transaction %q: %w", t.Transaction.ID, err)
	}
	if tr.TransmitID == "" {
		return "", fmt.Errorf("transmit transaction %q: answer has no transmitId", t.Transaction.ID)
	}
	return tr.TransmitID, nil
}
