package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"citebot/rag/backoff"
)

// This file sends citebot's REST requests to Discord. It uses discordgo's
// request and rate-limit machinery, but not as discordgo's helpers do:
//
//   - A 429 is not retried by discordgo, which would retry it forever,
//     sleeping through any retry_after without looking at the context.
//     request waits for retry_after itself, with the context, a bounded
//     number of times, and only while the time left allows it.
//   - 5xx answers (500, 502, 503, 504) are retried with exponential backoff
//     and jitter; discordgo retries only 502, at once, three times.
//   - Waiting for a rate-limit bucket to reset is done with the context
//     too, instead of discordgo's uninterruptible sleep.
//   - Interaction callbacks, edits and follow-ups go through a rate limiter
//     of their own interaction (see exchange). discordgo puts the edits of
//     all interactions in one bucket whose mutex is held for the whole
//     round trip, so one slow edit stalled every other answer; and it keeps
//     a bucket per interaction URL for ever, which grows without bound in a
//     long-running bot. Discord itself limits interaction webhooks per
//     interaction token, and not by the global rate limit.

// Retry bounds.
const (
	// maxAttempts is the most times one request is sent.
	maxAttempts = 5
	// backoffBase and backoffMax shape the wait before retrying a 5xx:
	// 250ms, 500ms, 1s, 2s, … at most 5s, each with jitter.
	backoffBase = 250 * time.Millisecond
	backoffMax  = 5 * time.Second
)

// restCall is one REST request.
type restCall struct {
	// what names the request in logs, e.g. "edit the answer".
	what   string
	method string
	url    string
	// bucket is the rate-limit bucket key; default url.
	bucket string
	body   any
	// repeatable reports that the request may be sent again after a
	// transport error, when it may or may not have reached Discord: edits
	// and acknowledgements may, new messages may not (a repeat could post
	// twice). 429 and 5xx answers are retried either way: Discord did not
	// carry them out.
	repeatable bool
	// attempts is the most times the request is sent; 0 means maxAttempts.
	attempts int
	// acked treats "already acknowledged" on a repeated interaction
	// callback as success: the first attempt arrived.
	acked bool
}

// request sends c through rl's bucket, retrying rate limits and server
// errors within ctx's deadline, and returns the response body.
func (b *Bot) request(ctx context.Context, rl *discordgo.RateLimiter, c restCall) ([]byte, error) {
	var body []byte
	if c.body != nil {
		var err error
		if body, err = json.Marshal(c.body); err != nil {
			return nil, fmt.Errorf("%s: %w", c.what, err)
		}
		body = b.scrubOutgoing(c.what, body)
	}
	key := c.bucket
	if key == "" {
		key = c.url
	}
	attempts := c.attempts
	if attempts <= 0 {
		attempts = maxAttempts
	}
	for attempt := 1; ; attempt++ {
		bucket, err := lockBucket(ctx, rl, key)
		if err != nil {
			return nil, fmt.Errorf("%s: waiting for Discord's rate limit: %w", c.what, err)
		}
		resp, err := b.s.RequestWithLockedBucket(c.method, c.url, "application/json", body, bucket, 0,
			discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false), discordgo.WithRestRetries(0))
		if err == nil {
			return resp, nil
		}
		if c.acked && attempt > 1 && discordCode(err) == codeAlreadyAcknowledged {
			return nil, nil
		}
		wait, retry := retryAfter(err, attempt, c.repeatable)
		if !retry || ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", c.what, err)
		}
		if attempt >= attempts {
			return nil, fmt.Errorf("%s: gave up after %d attempts: %w", c.what, attempt, err)
		}
		if dl, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(dl) {
			return nil, fmt.Errorf("%s: gave up after %d attempts: the next could start only in %s, after the time left (%s): %w",
				c.what, attempt, wait.Round(time.Millisecond), time.Until(dl).Round(time.Millisecond), err)
		}
		b.log.Info("retrying a Discord request", "request", c.what, "attempt", attempt, "wait", wait.Round(time.Millisecond), "reason", err.Error())
		if err := backoff.Sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%s: %w", c.what, err)
		}
	}
}

// lockBucket locks the bucket key of rl like discordgo's LockBucket, but
// waits for a bucket reset with ctx instead of sleeping through it. It may
// block while a request of the same bucket is in flight (discordgo holds a
// bucket during a request); that wait is bounded by the HTTP client's
// timeout.
func lockBucket(ctx context.Context, rl *discordgo.RateLimiter, key string) (*discordgo.Bucket, error) {
	bucket := rl.GetBucket(key)
	bucket.Lock()
	if wait := rl.GetWaitTime(bucket, 1); wait > 0 {
		if err := backoff.Sleep(ctx, wait); err != nil {
			bucket.Unlock()
			return nil, err
		}
	}
	bucket.Remaining--
	return bucket, nil
}

// retryAfter says whether a failed request is worth another attempt, and
// after how long.
func retryAfter(err error, attempt int, repeatable bool) (time.Duration, bool) {
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) && rl.RateLimit != nil && rl.TooManyRequests != nil {
		if d := rl.RetryAfter; d > 0 {
			return d, true
		}
		return retryBackoff(attempt), true
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		switch re.Response.StatusCode {
		case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return retryBackoff(attempt), true
		}
		return 0, false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return 0, false
	}
	// With its own retries off, discordgo reports a 502 as a plain error
	// ("Exceeded Max retries HTTP 502 Bad Gateway, …"), not a RESTError.
	if strings.HasPrefix(err.Error(), "Exceeded Max retries HTTP 502") {
		return retryBackoff(attempt), true
	}
	// A transport error: the request may or may not have arrived.
	return retryBackoff(attempt), repeatable
}

// retryBackoff is the wait before attempt+1: exponential from
// backoffBase, at most backoffMax, between half and all of it at random.
func retryBackoff(attempt int) time.Duration {
	return backoff.Exponential(attempt-1, backoffBase, backoffMax, rand.Float64())
}

// Discord JSON error codes the bot reacts to.
const (
	codeUnknownMessage      = 10008
	codeUnknownWebhook      = 10015
	codeUnknownInteraction  = 10062
	codeAlreadyAcknowledged = 40060
)

// discordCode returns the JSON error code of a REST error, or 0.
func discordCode(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return re.Message.Code
	}
	return 0
}

// httpStatus returns the status of a REST error, or 0.
func httpStatus(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.StatusCode
	}
	return 0
}

// scrubOutgoing scrubs a body the bot sends to Discord (see
// [redact.Filter.Body]); the log says that something was removed, not
// what.
func (b *Bot) scrubOutgoing(what string, body []byte) []byte {
	out, reencoded := b.secrets.Body(body)
	if reencoded {
		b.log.Warn("removed a secret (the bot token or an API key) from a message to Discord; it came from an article, a model or an error", "request", what)
	}
	return out
}
