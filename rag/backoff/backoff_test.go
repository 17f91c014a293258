package backoff_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"citebot/rag/backoff"
)

func TestExponential(t *testing.T) {
	const base, max = 250 * time.Millisecond, 5 * time.Second
	tests := []struct {
		name   string
		n      int
		jitter float64
		want   time.Duration
	}{
		{"first retry, least jitter", 0, 0, 125 * time.Millisecond},
		{"first retry, half jitter", 0, 0.5, 187500 * time.Microsecond},
		{"doubles", 1, 0, 250 * time.Millisecond},
		{"doubles again", 2, 0, 500 * time.Millisecond},
		{"capped", 5, 0, max / 2},
		{"capped far out", 40, 0, max / 2},
		{"capped past the shift width", 70, 0.5, max * 3 / 4},
		{"negative n is the cap", -1, 0, max / 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := backoff.Exponential(tt.n, base, max, tt.jitter); got != tt.want {
				t.Errorf("Exponential(%d, jitter %v) = %v, want %v", tt.n, tt.jitter, got, tt.want)
			}
		})
	}
}

func TestDoubling(t *testing.T) {
	tests := []struct {
		n         int
		base, max time.Duration
		want      time.Duration
	}{
		{0, time.Second, time.Minute, time.Second},
		{3, time.Second, time.Minute, 8 * time.Second},
		{6, time.Second, time.Minute, time.Minute},
		{62, time.Second, time.Minute, time.Minute},
		{100, time.Second, time.Minute, time.Minute},
		{-1, time.Second, time.Minute, time.Minute},
		{40, time.Hour, 1<<63 - 1, 1<<63 - 1},
	}
	for _, tt := range tests {
		if got := backoff.Doubling(tt.n, tt.base, tt.max); got != tt.want {
			t.Errorf("Doubling(%d, %v, %v) = %v, want %v", tt.n, tt.base, tt.max, got, tt.want)
		}
	}
}

func TestExponentialStaysBelowTheWait(t *testing.T) {
	if got := backoff.Exponential(0, time.Second, time.Minute, 0.999999); got >= time.Second || got < time.Second/2 {
		t.Errorf("Exponential with the most jitter = %v, want in [500ms, 1s)", got)
	}
}

func TestSleepEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := backoff.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep on a cancelled context = %v, want context.Canceled", err)
	}
}

func TestSleepRefusesAWaitPastTheDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	if err := backoff.Sleep(ctx, 2*time.Hour); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Sleep past the deadline = %v, want context.DeadlineExceeded", err)
	}
}

func TestSleepWaits(t *testing.T) {
	if err := backoff.Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("Sleep = %v, want nil", err)
	}
}
