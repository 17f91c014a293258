package rest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"citebot/bot/internal/rest"
)

func restError(status, code int) error {
	return &discordgo.RESTError{Response: &http.Response{StatusCode: status}, Message: &discordgo.APIErrorMessage{Code: code}}
}

func TestRetryAfter(t *testing.T) {
	limited := &discordgo.RateLimitError{RateLimit: &discordgo.RateLimit{TooManyRequests: &discordgo.TooManyRequests{RetryAfter: 3 * time.Second}}}
	tests := []struct {
		name       string
		err        error
		repeatable bool
		retry      bool
		exactly    time.Duration // 0: any backoff up to 5s
	}{
		{"429 waits retry_after", limited, false, true, 3 * time.Second},
		{"503 backs off", restError(503, 0), false, true, 0},
		{"400 is final", restError(400, 50035), true, false, 0},
		{"404 is final", restError(404, rest.CodeUnknownMessage), true, false, 0},
		{"a cancelled context is final", fmt.Errorf("send: %w", context.Canceled), true, false, 0},
		{"a plain 502 backs off", errors.New("Exceeded Max retries HTTP 502 Bad Gateway, {}"), false, true, 0},
		{"a transport error, repeatable", errors.New("connection reset"), true, true, 0},
		{"a transport error, not repeatable", errors.New("connection reset"), false, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wait, retry := rest.RetryAfter(tt.err, 1, tt.repeatable)
			if retry != tt.retry {
				t.Fatalf("got retry %v, want %v", retry, tt.retry)
			}
			if tt.exactly != 0 && wait != tt.exactly {
				t.Errorf("got wait %s, want %s", wait, tt.exactly)
			}
			if wait < 0 || wait > 5*time.Second {
				t.Errorf("got wait %s, want at most 5s", wait)
			}
		})
	}
}

func TestDiscordCodeAndHTTPStatus(t *testing.T) {
	err := fmt.Errorf("edit: %w", restError(404, rest.CodeUnknownWebhook))
	if got, want := rest.DiscordCode(err), rest.CodeUnknownWebhook; got != want {
		t.Errorf("DiscordCode: got %d, want %d", got, want)
	}
	if got, want := rest.HTTPStatus(err), 404; got != want {
		t.Errorf("HTTPStatus: got %d, want %d", got, want)
	}
	if rest.DiscordCode(errors.New("other")) != 0 || rest.HTTPStatus(errors.New("other")) != 0 {
		t.Error("an error that is not Discord's gives a code or status")
	}
}
