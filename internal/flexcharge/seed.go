package flexcharge

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// Seed is the sandbox's starting state: merchants with their credentials per
// environment, and orders that already exist.
type Seed struct {
	Merchants []SeedMerchant `json:"merchants"`
	Orders    []SeedOrder    `json:"orders"`
}

// SeedMerchant is one merchant's credentials in one environment. WebhookKey is
// the base64 subscriber key that signs webhooks for this merchant.
type SeedMerchant struct {
	Environment string `json:"environment"`
	MID         string `json:"mid"`
	AppKey      string `json:"appKey"`
	AppSecret   string `json:"appSecret"`
	WebhookKey  string `json:"webhookKey"`
}

// SeedOrder is an existing order in one environment; the Order fields sit
// flat beside "environment" in JSON.
type SeedOrder struct {
	Environment string `json:"environment"`
	Order
}

// LoadSeed reads a seed file. The orders array is decoded one order at a time,
// so a file of millions of orders never sits in memory as text.
func LoadSeed(path string) (Seed, error) {
	f, err := os.Open(path)
	if err != nil {
		return Seed{}, fmt.Errorf("load seed: %w", err)
	}
	defer f.Close()
	s, err := decodeSeed(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return Seed{}, fmt.Errorf("load seed %q: %w", path, err)
	}
	return s, nil
}

// decodeSeed streams the top-level object key by key; unknown keys are errors
// so a misspelt seed fails loudly instead of loading empty.
func decodeSeed(r io.Reader) (Seed, error) {
	var s Seed
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return s, err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return s, err
		}
		switch tok {
		case "merchants":
			err = dec.Decode(&s.Merchants)
		case "orders":
			s.Orders, err = decodeOrders(dec)
		default:
			err = fmt.Errorf("unknown key %v", tok)
		}
		if err != nil {
			return s, err
		}
	}
	return s, expectDelim(dec, '}')
}

func decodeOrders(dec *json.Decoder) ([]SeedOrder, error) {
	if err := expectDelim(dec, '['); err != nil {
		return nil, err
	}
	var orders []SeedOrder
	for dec.More() {
		var o SeedOrder
		if err := dec.Decode(&o); err != nil {
			return nil, fmt.Errorf("order %d: %w", len(orders)+1, err)
		}
		orders = append(orders, o)
	}
	return orders, expectDelim(dec, ']')
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != want {
		return fmt.Errorf("want %q, got %v", want, tok)
	}
	return nil
}

// WriteSeed writes s as JSON, one order per line, streaming through a buffer
// so that generating millions of orders needs no second copy in memory.
func WriteSeed(w io.Writer, s Seed) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	if _, err := bw.WriteString(`{"merchants":`); err != nil {
		return fmt.Errorf("write seed: %w", err)
	}
	merchants := s.Merchants
	if merchants == nil {
		merchants = []SeedMerchant{}
	}
	err := enc.Encode(merchants) // Encode adds a newline, which JSON allows
	if err == nil {
		_, err = bw.WriteString(`,"orders":[` + "\n")
	}
	for i := range s.Orders {
		if err != nil {
			break
		}
		if i > 0 {
			_, err = bw.WriteString(",")
		}
		if err == nil {
			err = enc.Encode(&s.Orders[i])
		}
	}
	if err == nil {
		_, err = bw.WriteString("]}\n")
	}
	if err = errors.Join(err, bw.Flush()); err != nil {
		return fmt.Errorf("write seed: %w", err)
	}
	return nil
}
