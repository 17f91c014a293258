package gateway

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// errOpenAborted fails gateway dials once the bot is shutting down.
var errOpenAborted = errors.New("connecting to the gateway was given up")

// DialGuard bounds discordgo's gateway handshake, which has no deadline of
// its own: every connection it dials gets a read deadline that lasts until
// the session is established (READY or RESUMED, signalled by Connected).
// AbortConn closes the connection being set up (an attempt that outlived
// its deadline); Stop does too and refuses new dials (shutdown).
type DialGuard struct {
	timeout time.Duration

	mu      sync.Mutex
	conn    net.Conn
	live    bool // conn has a session
	stopped bool
}

// NewDialGuard returns a guard whose handshakes last at most timeout.
func NewDialGuard(timeout time.Duration) *DialGuard { return &DialGuard{timeout: timeout} }

// Dial is the websocket dialer's NetDialContext.
func (g *DialGuard) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	g.mu.Lock()
	stopped := g.stopped
	g.mu.Unlock()
	if stopped {
		return nil, errOpenAborted
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	_ = c.SetReadDeadline(time.Now().Add(g.timeout))
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped {
		c.Close()
		return nil, errOpenAborted
	}
	g.conn, g.live = c, false
	return c, nil
}

// Connected lifts the handshake deadline of the newest connection.
func (g *DialGuard) Connected() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.conn != nil {
		_ = g.conn.SetReadDeadline(time.Time{})
		g.live = true
	}
}

// AbortConn closes the connection being set up, if any; a live one is
// left alone.
func (g *DialGuard) AbortConn() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.conn != nil && !g.live {
		g.conn.Close()
	}
}

// Stop refuses new dials and closes the connection being set up.
func (g *DialGuard) Stop() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.stopped = true
	if g.conn != nil && !g.live {
		g.conn.Close()
	}
}
