package discordtest

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Gateway intents that Discord treats as privileged; the fake refuses them
// (close code 4014) like an application that has not enabled them.
const privilegedIntents = 1<<1 | 1<<8 | 1<<15

// IntentMessageContent is the privileged MESSAGE_CONTENT intent.
const IntentMessageContent = 1 << 15

// GatewayStats counts what happened on the fake's gateway.
type GatewayStats struct {
	// Connections counts accepted WebSocket connections.
	Connections int
	// Identifies and Resumes count IDENTIFY (op 2) and RESUME (op 6).
	Identifies, Resumes int
	// Ready and Resumed count READY and RESUMED dispatches sent.
	Ready, Resumed int
	// InvalidSessions counts INVALID_SESSION (op 9) sent.
	InvalidSessions int
	// Heartbeats counts heartbeats (op 1) received; each was acknowledged.
	Heartbeats int
	// Replayed counts dispatches replayed after a RESUME.
	Replayed int
	// Intents are the intents of the last IDENTIFY.
	Intents int
	// Connected reports that a connection has a live session (after READY
	// or RESUMED).
	Connected bool
	// CloseCodes lists the close codes the fake closed connections with.
	CloseCodes []int
}

type gatewayState struct {
	sessions map[string]*gwSession
	session  *gwSession // the newest session
	conns    []*gwConn
	current  *gwConn // the connection dispatches go to
	stats    GatewayStats
}

func (g *gatewayState) allConns() []*gwConn { return append([]*gwConn(nil), g.conns...) }

type gwSession struct {
	id       string
	seq      int
	buffer   []gwFrame
	intents  int
	compress bool
	valid    bool
}

type gwFrame struct {
	Op int     `json:"op"`
	D  any     `json:"d"`
	S  *int    `json:"s"`
	T  *string `json:"t"`
}

type gwConn struct {
	ws      *websocket.Conn
	wmu     sync.Mutex
	session *gwSession
	ready   bool
	once    sync.Once
}

func (c *gwConn) write(f gwFrame, compress bool) error {
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	typ := websocket.TextMessage
	if compress {
		var b bytes.Buffer
		zw := zlib.NewWriter(&b)
		_, _ = zw.Write(data)
		_ = zw.Close()
		data, typ = b.Bytes(), websocket.BinaryMessage
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteMessage(typ, data)
}

func (c *gwConn) closeWith(code int, text string) {
	c.wmu.Lock()
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
	c.wmu.Unlock()
	c.close()
}

func (c *gwConn) close() { c.once.Do(func() { _ = c.ws.Close() }) }

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// serveGateway is one gateway WebSocket connection.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	if enc := r.URL.Query().Get("encoding"); enc != "" && enc != "json" {
		http.Error(w, "the fake speaks encoding=json only", http.StatusBadRequest)
		return
	}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &gwConn{ws: ws}
	s.mu.Lock()
	s.gw.conns = append(s.gw.conns, c)
	s.gw.stats.Connections++
	s.notifyLocked()
	s.mu.Unlock()
	defer func() {
		c.close()
		s.mu.Lock()
		c.ready = false
		if s.gw.current == c {
			s.gw.current = nil
			s.gw.stats.Connected = false
		}
		s.notifyLocked()
		s.mu.Unlock()
	}()

	if s.opts.StallGateway {
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}
	hello := gwFrame{Op: 10, D: map[string]any{"heartbeat_interval": s.opts.HeartbeatInterval.Milliseconds(), "_trace": []string{"[\"discordtest\"]"}}}
	if err := c.write(hello, false); err != nil {
		return
	}
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var f struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if err := json.Unmarshal(data, &f); err != nil {
			c.closeWith(4002, "Error while decoding payload.")
			return
		}
		switch f.Op {
		case 1:
			s.mu.Lock()
			s.gw.stats.Heartbeats++
			s.notifyLocked()
			s.mu.Unlock()
			if err := c.write(gwFrame{Op: 11}, false); err != nil {
				return
			}
		case 2:
			if !s.identify(c, f.D) {
				return
			}
		case 6:
			if !s.resume(c, f.D) {
				return
			}
		case 3, 4, 8:
			// Presence, voice state and member requests: accepted, ignored.
		default:
			s.closeConn(c, 4001, "Unknown opcode.")
			return
		}
	}
}

func (s *Server) closeConn(c *gwConn, code int, text string) {
	s.mu.Lock()
	s.gw.stats.CloseCodes = append(s.gw.stats.CloseCodes, code)
	s.notifyLocked()
	s.mu.Unlock()
	c.closeWith(code, text)
}

func (s *Server) tokenOK(tok string) bool {
	return strings.TrimPrefix(tok, "Bot ") == s.opts.Token
}

// identify answers IDENTIFY with READY and a GUILD_CREATE; false closes.
func (s *Server) identify(c *gwConn, raw json.RawMessage) bool {
	var d struct {
		Token    string `json:"token"`
		Intents  *int   `json:"intents"`
		Compress bool   `json:"compress"`
	}
	_ = json.Unmarshal(raw, &d)
	s.mu.Lock()
	already := c.ready
	s.mu.Unlock()
	switch {
	case already:
		s.closeConn(c, 4005, "Already authenticated.")
		return false
	case !s.tokenOK(d.Token):
		s.closeConn(c, 4004, "Authentication failed.")
		return false
	case d.Intents == nil:
		s.closeConn(c, 4013, "Invalid intent(s).")
		return false
	case *d.Intents&privilegedIntents != 0:
		s.closeConn(c, 4014, "Disallowed intent(s).")
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := &gwSession{id: randomID(), intents: *d.Intents, compress: d.Compress, valid: true}
	s.gw.sessions[sess.id] = sess
	s.gw.session = sess
	s.gw.stats.Identifies++
	s.gw.stats.Intents = *d.Intents
	c.session = sess
	ready := map[string]any{
		"v":                  9,
		"user":               userJSON(s.BotUser),
		"guilds":             []any{map[string]any{"id": s.GuildID, "unavailable": true}},
		"session_id":         sess.id,
		"resume_gateway_url": s.GatewayURL(),
		"session_type":       "normal",
		"private_channels":   []any{},
		"relationships":      []any{},
		"presences":          []any{},
		"application":        map[string]any{"id": s.AppID, "flags": 0},
		"_trace":             []string{"[\"discordtest\"]"},
	}
	if err := s.sendLocked(c, sess, "READY", ready, d.Compress); err != nil {
		return false
	}
	guild := map[string]any{
		"id": s.GuildID, "name": "Test Guild", "icon": nil, "owner_id": guildOwnerID, "unavailable": false,
		"member_count": 2, "large": false, "joined_at": time.Now().UTC().Format(time.RFC3339Nano),
		"roles": []any{}, "emojis": []any{}, "stickers": []any{}, "features": []any{}, "members": []any{},
		"channels": []any{map[string]any{"id": s.ChannelID, "type": 0, "name": "general", "guild_id": s.GuildID, "position": 0, "permission_overwrites": []any{}}},
		"threads":  []any{}, "voice_states": []any{}, "presences": []any{}, "stage_instances": []any{},
		"guild_scheduled_events": []any{}, "preferred_locale": "en-US",
	}
	if err := s.sendLocked(c, sess, "GUILD_CREATE", guild, d.Compress); err != nil {
		return false
	}
	c.ready = true
	s.gw.current = c
	s.gw.stats.Ready++
	s.gw.stats.Connected = true
	s.notifyLocked()
	return true
}

// guildOwnerID is the made-up id of the guild's owner.
const guildOwnerID = "80351110224678912"

// resume answers RESUME: replays missed dispatches then RESUMED, or sends
// INVALID_SESSION when the session cannot be resumed.
func (s *Server) resume(c *gwConn, raw json.RawMessage) bool {
	var d struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int    `json:"seq"`
	}
	_ = json.Unmarshal(raw, &d)
	if !s.tokenOK(d.Token) {
		s.closeConn(c, 4004, "Authentication failed.")
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.gw.sessions[d.SessionID]
	if sess == nil || !sess.valid || d.Seq > sess.seq {
		s.gw.stats.InvalidSessions++
		s.notifyLocked()
		return c.write(gwFrame{Op: 9, D: false}, false) == nil
	}
	s.gw.stats.Resumes++
	c.session = sess
	s.gw.session = sess
	for _, f := range sess.buffer {
		if *f.S > d.Seq {
			if err := c.write(f, false); err != nil {
				return false
			}
			s.gw.stats.Replayed++
		}
	}
	if err := s.sendLocked(c, sess, "RESUMED", map[string]any{"_trace": []string{"[\"discordtest\"]"}}, false); err != nil {
		return false
	}
	c.ready = true
	s.gw.current = c
	s.gw.stats.Resumed++
	s.gw.stats.Connected = true
	s.notifyLocked()
	return true
}

// sendLocked numbers a dispatch in sess, buffers it for replay and writes
// it to c.
func (s *Server) sendLocked(c *gwConn, sess *gwSession, event string, d any, compress bool) error {
	sess.seq++
	seq, t := sess.seq, event
	f := gwFrame{Op: 0, D: d, S: &seq, T: &t}
	sess.buffer = append(sess.buffer, f)
	return c.write(f, compress)
}

// errNoSession is returned when an event is dispatched before the bot has
// identified.
var errNoSession = errors.New("discordtest: no gateway session: the bot has not identified")

// dispatch sends an event to the current session. While the bot is
// disconnected the event is kept and replayed when it resumes, as Discord
// does.
func (s *Server) dispatch(event string, d any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.gw.session
	if sess == nil {
		return errNoSession
	}
	sess.seq++
	seq, t := sess.seq, event
	f := gwFrame{Op: 0, D: d, S: &seq, T: &t}
	sess.buffer = append(sess.buffer, f)
	if c := s.gw.current; c != nil && c.ready && c.session == sess {
		_ = c.write(f, false)
	}
	s.notifyLocked()
	return nil
}

// GatewayStats returns a copy of the gateway counters.
func (s *Server) GatewayStats() GatewayStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.gw.stats
	st.CloseCodes = append([]int(nil), st.CloseCodes...)
	return st
}

// WaitGateway waits until cond holds for the gateway counters.
func (s *Server) WaitGateway(ctx context.Context, cond func(GatewayStats) bool) error {
	err := s.waitFor(ctx, func() bool { return cond(s.gw.stats) })
	if err != nil {
		return fmt.Errorf("discordtest: waiting for the gateway (now %+v): %w", s.GatewayStats(), err)
	}
	return nil
}

// ErrNotConnected is returned by DropConnection, RequestReconnect and
// InvalidateSession when no connection has a live session.
var ErrNotConnected = errors.New("discordtest: not connected")

// Disrupt waits until a connection has a live session, then calls act on
// the server (for example (*Server).RequestReconnect). When the connection
// goes away between the two, it waits for the next one and tries again,
// until ctx ends. Use it for a disruption that follows another: after a
// dropped connection, discordgo's heartbeat goroutine can fail on the old
// connection and close the new one once more (wsapi.go calls Close then
// reconnect from both the reader and the heartbeat), so "connected" is
// not stable right after a resume.
func (s *Server) Disrupt(ctx context.Context, act func(*Server) error) error {
	for {
		if err := s.WaitGateway(ctx, func(st GatewayStats) bool { return st.Connected }); err != nil {
			return err
		}
		if err := act(s); !errors.Is(err, ErrNotConnected) {
			return err
		}
	}
}

// DropConnection closes the current gateway connection abruptly, without a
// close frame, as a network failure would. The session stays resumable.
func (s *Server) DropConnection() error {
	s.mu.Lock()
	c := s.gw.current
	if c != nil {
		s.gw.current = nil
		c.ready = false
		s.gw.stats.Connected = false
		s.notifyLocked()
	}
	s.mu.Unlock()
	if c == nil {
		return ErrNotConnected
	}
	return c.ws.UnderlyingConn().Close()
}

// RequestReconnect sends RECONNECT (op 7): the bot should close the
// connection and resume on a new one.
func (s *Server) RequestReconnect() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.gw.current
	if c == nil {
		return ErrNotConnected
	}
	return c.write(gwFrame{Op: 7}, false)
}

// InvalidateSession sends INVALID_SESSION (op 9, not resumable): the bot
// should identify again and gets a new session.
func (s *Server) InvalidateSession() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.gw.current
	if c == nil {
		return ErrNotConnected
	}
	if c.session != nil {
		c.session.valid = false
	}
	c.ready = false
	s.gw.stats.InvalidSessions++
	s.notifyLocked()
	return c.write(gwFrame{Op: 9, D: false}, false)
}
