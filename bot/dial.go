package bot

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// errOpenAborted fails gateway dials after the first connection attempt
// was given up.
var errOpenAborted = errors.New("connecting to the gateway was given up")

// dialGuard bounds discordgo's gateway handshake, which has no deadline of
// its own: every connection it dials gets a read deadline that lasts until
// the session is established (READY or RESUMED, signalled by connected),
// and abort closes the connection being set up.
type dialGuard struct {
	timeout time.Duration

	mu      sync.Mutex
	conn    net.Conn
	aborted bool
}

// dial is the websocket dialer's NetDialContext.
func (g *dialGuard) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	g.mu.Lock()
	aborted := g.aborted
	g.mu.Unlock()
	if aborted {
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
	if g.aborted {
		c.Close()
		return nil, errOpenAborted
	}
	g.conn = c
	return c, nil
}

// connected lifts the handshake deadline of the newest connection.
func (g *dialGuard) connected() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.conn != nil {
		_ = g.conn.SetReadDeadline(time.Time{})
	}
}

// abort closes the connection being set up and refuses new dials.
func (g *dialGuard) abort() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.aborted = true
	if g.conn != nil {
		g.conn.Close()
	}
}
