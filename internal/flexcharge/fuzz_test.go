package flexcharge

import (
	"bytes"
	"net/http"
	"testing"
	"time"
)

// FuzzVerifyWebhook: VerifyWebhook never panics, accepts a correctly signed
// delivery, and rejects it once the body, host or key differs, or when the
// headers are made up.
func FuzzVerifyWebhook(f *testing.F) {
	f.Add([]byte("subscriber-key"), "partner.example", []byte(`{"event":"order.completed"}`), "nonce-1", uint16(3), byte('X'), "sig", "auth")
	f.Add([]byte{0}, "", []byte{}, "", uint16(0), byte(0), "", "")
	f.Add([]byte("k"), "h:8080", []byte("\xff\x00body"), "n", uint16(65535), byte(1), "HMACSHA512 x", "HMACSHA512 ")
	f.Fuzz(func(t *testing.T, key []byte, host string, body []byte, nonce string, at uint16, flip byte, fakeSig, fakeAuth string) {
		if len(key) == 0 {
			if VerifyWebhook(key, host, SignWebhook([]byte("x"), host, body, time.Unix(0, 0), nonce), body) == nil {
				t.Fatal("accepted with no key")
			}
			return
		}
		h := SignWebhook(key, host, body, time.Unix(1_800_000_000, 0), nonce)
		if err := VerifyWebhook(key, host, h, body); err != nil {
			t.Fatalf("a correctly signed delivery was rejected: %v", err)
		}
		if flip != 0 && len(body) > 0 {
			tampered := bytes.Clone(body)
			tampered[int(at)%len(body)] ^= flip
			if VerifyWebhook(key, host, h, tampered) == nil {
				t.Fatal("accepted a tampered body")
			}
		}
		if VerifyWebhook(key, host+"x", h, body) == nil {
			t.Fatal("accepted the delivery on another host")
		}
		if VerifyWebhook(append(bytes.Clone(key), flip|1), host, h, body) == nil {
			t.Fatal("accepted under another key")
		}
		fake := h.Clone()
		fake.Set(HeaderSignature, fakeSig)
		fake.Set(HeaderAuthorization, fakeAuth)
		if (fakeSig != h.Get(HeaderSignature) || fakeAuth != h.Get(HeaderAuthorization)) && VerifyWebhook(key, host, fake, body) == nil {
			t.Fatal("accepted made-up signatures")
		}
		if VerifyWebhook(key, host, http.Header{}, body) == nil {
			t.Fatal("accepted an unsigned delivery")
		}
	})
}
