// Package flexcharge speaks the FlexCharge (FlexFactor) partner API: a Client
// for /oauth2/token, /transmit and GET /orders, and a Sandbox server that
// follows the same contract for tests, demos and partners without access to
// FlexCharge's own sandbox.
//
// The contract lives in shared/spec/flexcharge-api.md. Fields and values
// marked "assumed" there are kept in one place each (a constant, a struct
// tag, one decoder) so they are easy to change when the real API disagrees.
//
// # Client
//
// A Client talks to one environment's base URL. It caches one access token
// per merchant (MID and AppKey) until shortly before it expires (for the
// contract's 10 minutes when its answer gives no usable expiry) and fetches a
// new one on HTTP 401; concurrent callers share a single token fetch. Calls
// are bounded by a semaphore and a token-bucket rate limiter, retried with
// capped exponential backoff and full jitter on 429 (honouring Retry-After),
// 5xx, timeouts and dropped connections, and never retried on other 4xx.
// A redirect is never followed: a 3xx fails the call, naming its status.
// Secrets and tokens never appear in logs, errors or formatted Credentials.
//
// /transmit has no idempotency key. A retry after a dropped connection may
// deliver a copy twice; that is accepted here because the caller's outbox
// records the intent and settles doubtful transmissions itself.
//
// # Sandbox
//
// Sandbox is an http.Handler serving one route tree per environment
// (/sandbox/v1/... and /production/v1/...), seeded from a JSON file (LoadSeed,
// WriteSeed). It issues HS256 JWTs, validates transmits and counts deliveries,
// creates orders on /evaluate with the contract's test-card rules, settles or
// expires managed-MIT orders (Settle), sends signed webhooks (SignWebhook,
// VerifyWebhook) and injects faults. Faults strike before a request is
// handled, so a faulted transmit is never counted as delivered; a client
// that retries therefore leaves exactly one delivery per transaction, which
// is what the push acceptance test checks with Deliveries.
//
// The sandbox's own rules (amount limits, currency, test cards, token
// lifetime) are constants in sandbox_rules.go.
package flexcharge
