package rest

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"citebot/rag/backoff"
)

// Retry bounds.
const (
	// MaxAttempts is the most times one request is sent.
	MaxAttempts = 5
	// backoffBase and backoffMax shape the wait before retrying a 5xx:
	// 250ms, 500ms, 1s, 2s, … at most 5s, each with jitter.
	backoffBase = 250 * time.Millisecond
	backoffMax  = 5 * time.Second
)

// LockBucket locks the bucket key of rl like discordgo's LockBucket, but
// waits for a bucket reset with ctx instead of sleeping through it. It may
// block while a request of the same bucket is in flight (discordgo holds a
// bucket during a request); that wait is bounded by the HTTP client's
// timeout.
func LockBucket(ctx context.Context, rl *discordgo.RateLimiter, key string) (*discordgo.Bucket, error) {
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

// RetryAfter says whether a failed request is worth another attempt, and
// after how long.
func RetryAfter(err error, attempt int, repeatable bool) (time.Duration, bool) {
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
	CodeUnknownMessage      = 10008
	CodeUnknownWebhook      = 10015
	CodeUnknownInteraction  = 10062
	CodeAlreadyAcknowledged = 40060
)

// DiscordCode returns the JSON error code of a REST error, or 0.
func DiscordCode(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return re.Message.Code
	}
	return 0
}

// HTTPStatus returns the status of a REST error, or 0.
func HTTPStatus(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.StatusCode
	}
	return 0
}
