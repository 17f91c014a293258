package limits

import "time"

// This file lets the external tests (package limits_test) set the clock
// and read the bounds.

// NewAt returns a limiter like New that reads the time from now.
func NewAt(perMinute, concurrent int, now func() time.Time) *Limiter {
	l := New(perMinute, concurrent)
	l.now = now
	return l
}

// MaxTrackedUsers and SweepInterval are the limiter's bounds.
const (
	MaxTrackedUsers = maxTrackedUsers
	SweepInterval   = sweepInterval
)
