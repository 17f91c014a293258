package gateway

import (
	"testing"
	"time"
)

// TestStuckClockRestartsWhenAWaitEnds: the time without a session that
// counts towards StuckTimeout starts again when a deliberate wait (for
// one of Discord's limits) ends, and only then. It compares the order of
// instants, never a duration, so it does not depend on the machine's
// speed.
func TestStuckClockRestartsWhenAWaitEnds(t *testing.T) {
	g := New(Config{})
	created := g.down
	g.SetState(StateConnecting, false)
	if !g.down.Equal(created) {
		t.Errorf("a state change without a wait moved the stuck clock from %v to %v", created, g.down)
	}
	g.SetState("waiting: session start limit", true)
	waitEnded := time.Now()
	g.SetState(StateConnecting, false)
	if g.down.Before(waitEnded) {
		t.Errorf("after a wait the stuck clock counts from %v, before the wait ended (%v)", g.down, waitEnded)
	}
	afterWait := g.down
	g.SetState(stateReconnecting, false)
	if !g.down.Equal(afterWait) {
		t.Errorf("a state change after the wait moved the stuck clock from %v to %v", afterWait, g.down)
	}
}
