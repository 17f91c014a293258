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
// (close code 4014) like an application that has not enabled them, unless
// Options.EnabledIntents enables them.
const privilegedIntents = 1<<1 | 1<<8 | 1<<15

// IntentMessageContent is the privileged MESSAGE_CONTENT intent.
const IntentMessageContent = 1 << 15

// GatewayStats counts what happened on the fake's gateway.
type GatewayStats struct {
	// Connections counts accepted WebSocket connections, and
	// ResumeURLConnections those opened through the resume_gateway_url
	// READY hands out (a URL distinct from the one of GET /gateway).
	Connections, ResumeURLConnections int
	// Identifies and Resumes count IDENTIFY (op 2) and RESUME (op 6);
	// ResumesViaResumeURL counts the RESUMEs sent on a connection opened
	// through resume_gateway_url.
	Identifies, Resumes, ResumesViaResumeURL int
	// IdentifyTimes are the arrival times of the IDENTIFYs, in order.
	IdentifyTimes []time.Time
	// Ready and Resumed count READY and RESUMED dispatches sent.
	Ready, Resumed int
	// InvalidSessions counts INVALID_SESSION (op 9) sent, and Reconnects
	// RECONNECT (op 7) sent.
	InvalidSessions, Reconnects int
	// Heartbeats counts heartbeats (op 1) received; UnackedHeartbeats those
	// left unacknowledged because ACKs were stopped ([Server.StopHeartbeatAcks]).
	Heartbeats, UnackedHeartbeats int
	// Replayed counts dispatches replayed after a RESUME.
	Replayed int
	// Intents are the intents of the last IDENTIFY.
	Intents int
	// Connected reports that a connection has a live session (after READY
	// or RESUMED, and neither told to reconnect nor silenced since).
	Connected bool
	// CloseCodes lists the close codes the fake closed connections with.
	CloseCodes []int
	// ClientCloseCodes lists the close codes the client closed connections
	// with, in order (a connection that ends without a close frame adds
	// none). Discord invalidates the session of a connection closed with
	// 1000 or 1001, and so does the fake.
	ClientCloseCodes []int
	// TokenReset reports that the client identified with no session
	// starts left: Discord then resets the bot token, and the fake refuses
	// it from then on (401, close 4004).
	TokenReset bool
}

// Stage is a point of a gateway handshake where the fake can interrupt it
// ([Server.Interrupt]).
type Stage int

const (
	// BeforeHello sends the interruption instead of HELLO, as soon as the
	// connection is open.
	BeforeHello Stage = iota + 1
	// BeforeReady sends it after an IDENTIFY, instead of READY: the
	// IDENTIFY counts against the session start limit, but no session
	// starts.
	BeforeReady
	// DuringResume sends it after a RESUME, instead of the replay and
	// RESUMED.
	DuringResume
)

func (st Stage) String() string {
	switch st {
	case BeforeHello:
		return "before HELLO"
	case BeforeReady:
		return "before READY"
	case DuringResume:
		return "during RESUME"
	}
	return fmt.Sprintf("stage %d", int(st))
}

// Interruption is a RECONNECT (op 7) or an INVALID_SESSION (op 9) the fake
// sends at a stage of a handshake, in place of what it would send there.
// Discord's documentation says RECONNECT "can occur at any point in the
// gateway connection lifecycle, even before/in place of receiving a Hello
// event".
type Interruption struct {
	At Stage
	// Op is 7 (RECONNECT) or 9 (INVALID_SESSION).
	Op int
	// Resumable is the d of an INVALID_SESSION: true lets the client
	// resume on a new connection; false ends the session too.
	Resumable bool
}

func (i Interruption) String() string {
	if i.Op == 9 {
		return fmt.Sprintf("INVALID_SESSION (d %v) %s", i.Resumable, i.At)
	}
	return "RECONNECT " + i.At.String()
}

// SessionStartLimit is the session_start_limit of GET /gateway/bot.
type SessionStartLimit struct {
	// Total and Remaining are the IDENTIFYs allowed per period and those
	// left.
	Total, Remaining int
	// ResetAfter is when Remaining goes back to Total, from New.
	ResetAfter time.Duration
	// MaxConcurrency is how many IDENTIFYs may start per 5 seconds.
	MaxConcurrency int
}

type gatewayState struct {
	sessions     map[string]*gwSession
	session      *gwSession // the newest session
	conns        []*gwConn
	current      *gwConn // the connection dispatches go to
	stats        GatewayStats
	interrupts   []Interruption
	stalled      bool
	limit        SessionStartLimit
	limitResetAt time.Time
	lastIdentify time.Time

	// Sharding (shards.go): the session of each shard, the shard count
	// of the live shards, and the last IDENTIFY of each max_concurrency
	// bucket.
	byShard      map[int]*gwSession
	shardCount   int
	lastByBucket map[int]time.Time
}

func (g *gatewayState) allConns() []*gwConn { return append([]*gwConn(nil), g.conns...) }

type gwSession struct {
	id       string
	seq      int
	buffer   []gwFrame
	intents  int
	compress bool
	valid    bool
	shard    *[2]int // [id, count] when the client identified as a shard
	conn     *gwConn // the connection carrying it, once ready
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
	// viaResume reports that the client opened it through
	// resume_gateway_url.
	viaResume bool
	// left reports that the fake told the client to leave it (RECONNECT or
	// INVALID_SESSION): an IDENTIFY or RESUME on it is a violation.
	left bool
	// silent reports that heartbeat ACKs and dispatches stopped.
	silent bool
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

// serveGateway is one gateway WebSocket connection; viaResume reports that
// it arrived on the resume_gateway_url listener.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request, viaResume bool) {
	if enc := r.URL.Query().Get("encoding"); enc != "" && enc != "json" {
		http.Error(w, "the fake speaks encoding=json only", http.StatusBadRequest)
		return
	}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &gwConn{ws: ws, viaResume: viaResume}
	stalled, greet := s.acceptGateway(c)
	defer s.dropGateway(c)

	if stalled {
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}
	if !greet() {
		return
	}
	s.readGateway(c)
}

// acceptGateway records a new connection. It reports whether the
// connection stalls (reads and never answers), and returns greet, which
// sends HELLO or the interruption planned for before it, and reports
// whether the connection is still open.
func (s *Server) acceptGateway(c *gwConn) (stalled bool, greet func() bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gw.conns = append(s.gw.conns, c)
	s.gw.stats.Connections++
	if c.viaResume {
		s.gw.stats.ResumeURLConnections++
	}
	stalled = s.opts.StallGateway || s.gw.stalled
	intr, interrupted := s.takeInterruptLocked(BeforeHello)
	s.notifyLocked()
	return stalled, func() bool {
		if interrupted {
			s.mu.Lock()
			err := s.interruptLocked(c, intr)
			s.mu.Unlock()
			return err == nil
		}
		hello := gwFrame{Op: 10, D: map[string]any{"heartbeat_interval": s.opts.HeartbeatInterval.Milliseconds(), "_trace": []string{"[\"discordtest\"]"}}}
		return c.write(hello, false) == nil
	}
}

// dropGateway closes a connection and forgets it as the current one.
func (s *Server) dropGateway(c *gwConn) {
	c.close()
	s.mu.Lock()
	c.ready = false
	if s.gw.current == c {
		s.gw.current = nil
		s.gw.stats.Connected = false
	}
	s.notifyLocked()
	s.mu.Unlock()
}

// readGateway reads the client's frames and answers them until the
// connection ends.
func (s *Server) readGateway(c *gwConn) {
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			s.clientClosed(c, err)
			return
		}
		var f struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if err := json.Unmarshal(data, &f); err != nil {
			s.closeConn(c, 4002, "Error while decoding payload.")
			return
		}
		switch f.Op {
		case 1:
			if !s.heartbeat(c) {
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

// heartbeat counts a heartbeat and acknowledges it unless the connection
// is silent (a zombied connection); false: the connection is gone.
func (s *Server) heartbeat(c *gwConn) bool {
	s.mu.Lock()
	s.gw.stats.Heartbeats++
	silent := c.silent
	if silent {
		s.gw.stats.UnackedHeartbeats++
	}
	s.notifyLocked()
	s.mu.Unlock()
	if silent {
		return true
	}
	return c.write(gwFrame{Op: 11}, false) == nil
}

// clientClosed records how the client ended a connection: the code of its
// close frame, if any. A close with 1000 or 1001 ends the session, as on
// Discord ("your session will be invalidated and your bot will appear
// offline").
func (s *Server) clientClosed(c *gwConn, err error) {
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gw.stats.ClientCloseCodes = append(s.gw.stats.ClientCloseCodes, ce.Code)
	if (ce.Code == websocket.CloseNormalClosure || ce.Code == websocket.CloseGoingAway) && c.session != nil {
		c.session.valid = false
	}
	s.notifyLocked()
}

// takeInterruptLocked removes and returns the first queued interruption
// for the stage.
func (s *Server) takeInterruptLocked(at Stage) (Interruption, bool) {
	for i, in := range s.gw.interrupts {
		if in.At == at {
			s.gw.interrupts = append(s.gw.interrupts[:i:i], s.gw.interrupts[i+1:]...)
			return in, true
		}
	}
	return Interruption{}, false
}

// interruptLocked sends RECONNECT or INVALID_SESSION on c and marks c as a
// connection the client must leave.
func (s *Server) interruptLocked(c *gwConn, in Interruption) error {
	c.left, c.ready = true, false
	if s.gw.current == c {
		s.gw.current = nil
		s.gw.stats.Connected = false
	}
	s.notifyLocked()
	if in.Op == 9 {
		s.gw.stats.InvalidSessions++
		if !in.Resumable && c.session != nil {
			c.session.valid = false
		}
		return c.write(gwFrame{Op: 9, D: in.Resumable}, false)
	}
	s.gw.stats.Reconnects++
	return c.write(gwFrame{Op: 7}, false)
}

// violationLocked records a protocol mistake of the client.
func (s *Server) violationLocked(format string, args ...any) {
	s.violations = append(s.violations, fmt.Sprintf(format, args...))
	s.notifyLocked()
}

func (s *Server) closeConn(c *gwConn, code int, text string) {
	s.mu.Lock()
	s.gw.stats.CloseCodes = append(s.gw.stats.CloseCodes, code)
	s.notifyLocked()
	s.mu.Unlock()
	c.closeWith(code, text)
}

func (s *Server) tokenOK(tok string) bool {
	s.mu.Lock()
	reset := s.gw.stats.TokenReset
	s.mu.Unlock()
	return !reset && strings.TrimPrefix(tok, "Bot ") == s.opts.Token
}

// startLimitLocked returns the session start limit, reset when its period
// has passed.
func (s *Server) startLimitLocked() *SessionStartLimit {
	if now := time.Now(); !now.Before(s.gw.limitResetAt) {
		s.gw.limit.Remaining = s.gw.limit.Total
		s.gw.limitResetAt = now.Add(s.gw.limit.ResetAfter)
	}
	return &s.gw.limit
}

// identify answers IDENTIFY with READY and a GUILD_CREATE; false closes.
func (s *Server) identify(c *gwConn, raw json.RawMessage) bool {
	var d identifyData
	_ = json.Unmarshal(raw, &d)
	if !s.checkIdentify(c, d) {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if handled, open := s.limitIdentifyLocked(c, d); handled {
		return open
	}
	return s.sendReadyLocked(c, s.startSessionLocked(c, d), d.Compress)
}

// identifyData is the payload of an IDENTIFY.
type identifyData struct {
	Token    string  `json:"token"`
	Intents  *int    `json:"intents"`
	Compress bool    `json:"compress"`
	Shard    *[2]int `json:"shard"`
}

// checkIdentify closes the connection with Discord's close code when an
// IDENTIFY is not acceptable: a second one, a wrong token, missing or
// disallowed intents, a bad shard. It reports whether the IDENTIFY may go on.
func (s *Server) checkIdentify(c *gwConn, d identifyData) bool {
	s.mu.Lock()
	already, left := c.ready, c.left
	if left {
		s.violationLocked("IDENTIFY on a connection the fake had told to reconnect or whose session it had invalidated (Discord: open a new connection)")
	}
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
	case *d.Intents&privilegedIntents&^s.opts.EnabledIntents != 0:
		s.closeConn(c, 4014, "Disallowed intent(s).")
		return false
	}
	s.mu.Lock()
	problem := s.shardProblemLocked(d.Shard)
	s.mu.Unlock()
	if problem != "" {
		s.closeConn(c, 4010, problem)
		return false
	}
	return true
}

// limitIdentifyLocked applies the session start limit and the identify
// interval, and the interruptions planned before READY. handled reports
// that it answered the IDENTIFY itself; open, that the connection is
// still open.
func (s *Server) limitIdentifyLocked(c *gwConn, d identifyData) (handled, open bool) {
	now := time.Now()
	lim := s.startLimitLocked()
	if lim.Remaining <= 0 {
		// Discord: "all active sessions for the app will be terminated,
		// the bot token will be reset".
		s.gw.stats.TokenReset = true
		s.violationLocked("IDENTIFY with no session starts left (session_start_limit.remaining 0): Discord resets the token")
		s.gw.stats.CloseCodes = append(s.gw.stats.CloseCodes, 4004)
		c.closeWith(4004, "Authentication failed.")
		return true, false
	}
	lim.Remaining--
	s.gw.stats.Identifies++
	s.gw.stats.IdentifyTimes = append(s.gw.stats.IdentifyTimes, now)
	lastInBucket := s.lastIdentifyLocked(s.identifyBucketLocked(d.Shard), now)
	tooSoon := s.opts.IdentifyInterval > 0 && !lastInBucket.IsZero() && now.Sub(lastInBucket) < s.opts.IdentifyInterval
	s.gw.lastIdentify = now
	if tooSoon {
		s.violationLocked("IDENTIFY %s after the previous one of its max_concurrency bucket, within the %s Discord allows per IDENTIFY", now.Sub(lastInBucket).Round(time.Millisecond), s.opts.IdentifyInterval)
		return true, s.interruptLocked(c, Interruption{At: BeforeReady, Op: 9}) == nil
	}
	if in, ok := s.takeInterruptLocked(BeforeReady); ok {
		return true, s.interruptLocked(c, in) == nil
	}
	return false, true
}

// startSessionLocked makes the session an IDENTIFY starts.
func (s *Server) startSessionLocked(c *gwConn, d identifyData) *gwSession {
	sess := &gwSession{id: randomID(), intents: *d.Intents, compress: d.Compress, valid: true, shard: d.Shard}
	s.gw.sessions[sess.id] = sess
	s.gw.session = sess
	s.gw.stats.Intents = *d.Intents
	c.session = sess
	if d.Shard != nil {
		if s.gw.byShard == nil {
			s.gw.byShard = map[int]*gwSession{}
		}
		s.gw.byShard[d.Shard[0]], s.gw.shardCount = sess, d.Shard[1]
	}
	return sess
}

// sendReadyLocked sends READY and a GUILD_CREATE for each of the
// session's guilds, and marks the connection ready.
func (s *Server) sendReadyLocked(c *gwConn, sess *gwSession, compress bool) bool {
	var unavailable []any
	for _, g := range s.guildsOfLocked(sess) {
		unavailable = append(unavailable, map[string]any{"id": g.id, "unavailable": true})
	}
	ready := map[string]any{
		"v":                  9,
		"user":               userJSON(s.BotUser),
		"guilds":             append([]any{}, unavailable...),
		"session_id":         sess.id,
		"resume_gateway_url": s.ResumeGatewayURL(),
		"session_type":       "normal",
		"private_channels":   []any{},
		"relationships":      []any{},
		"presences":          []any{},
		"application":        map[string]any{"id": s.AppID, "flags": 0},
		"_trace":             []string{"[\"discordtest\"]"},
	}
	if sess.shard != nil {
		ready["shard"] = []int{sess.shard[0], sess.shard[1]}
	}
	if err := s.sendLocked(c, sess, "READY", ready, compress); err != nil {
		return false
	}
	for _, g := range s.guildsOfLocked(sess) {
		guild := map[string]any{
			"id": g.id, "name": "Test Guild", "icon": nil, "owner_id": guildOwnerID, "unavailable": false,
			"member_count": 2, "large": false, "joined_at": time.Now().UTC().Format(time.RFC3339Nano),
			"roles": []any{}, "emojis": []any{}, "stickers": []any{}, "features": []any{}, "members": []any{},
			"channels": []any{map[string]any{"id": g.channelID, "type": 0, "name": "general", "guild_id": g.id, "position": 0, "permission_overwrites": []any{}}},
			"threads":  []any{}, "voice_states": []any{}, "presences": []any{}, "stage_instances": []any{},
			"guild_scheduled_events": []any{}, "preferred_locale": "en-US",
		}
		if err := s.sendLocked(c, sess, "GUILD_CREATE", guild, compress); err != nil {
			return false
		}
	}
	sess.conn = c
	s.gw.stats.Ready++
	s.makeLiveLocked(c)
	return true
}

// makeLiveLocked makes c the live connection, ready for dispatches.
func (s *Server) makeLiveLocked(c *gwConn) {
	c.ready, c.left = true, false
	s.gw.current = c
	s.gw.stats.Connected = true
	s.notifyLocked()
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
	if c.left {
		s.violationLocked("RESUME on a connection the fake had told to reconnect or whose session it had invalidated (Discord: open a new connection)")
	}
	sess := s.gw.sessions[d.SessionID]
	if c.viaResume {
		s.gw.stats.ResumesViaResumeURL++
	}
	if in, ok := s.takeInterruptLocked(DuringResume); ok {
		c.session = sess
		return s.interruptLocked(c, in) == nil
	}
	if sess == nil || !sess.valid || d.Seq > sess.seq {
		return s.interruptLocked(c, Interruption{At: DuringResume, Op: 9}) == nil
	}
	s.gw.stats.Resumes++
	c.session = sess
	s.gw.session = sess
	sess.conn = c
	for _, f := range sess.buffer {
		if *f.S > d.Seq {
			if err := c.write(f, false); err != nil {
				return false
			}
			s.deliveredLocked(f)
			s.gw.stats.Replayed++
		}
	}
	if err := s.sendLocked(c, sess, "RESUMED", map[string]any{"_trace": []string{"[\"discordtest\"]"}}, false); err != nil {
		return false
	}
	s.gw.stats.Resumed++
	s.makeLiveLocked(c)
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
// disconnected (or its connection is silent) the event is kept and
// replayed when it resumes, as Discord does.
func (s *Server) dispatch(event string, d any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, c := s.routeLocked(d)
	if sess == nil {
		return errNoSession
	}
	sess.seq++
	seq, t := sess.seq, event
	f := gwFrame{Op: 0, D: d, S: &seq, T: &t}
	sess.buffer = append(sess.buffer, f)
	if c != nil && c.ready && c.session == sess {
		if c.write(f, false) == nil {
			s.deliveredLocked(f)
		}
	}
	s.notifyLocked()
	return nil
}

// deliveredLocked notes when an interaction or a message first reached the
// client.
func (s *Server) deliveredLocked(f gwFrame) {
	p, _ := f.D.(map[string]any)
	switch *f.T {
	case "INTERACTION_CREATE":
		tok, _ := p["token"].(string)
		if in := s.interactions[tok]; in != nil && in.delivered.IsZero() {
			in.delivered = time.Now()
		}
	case "MESSAGE_CREATE":
		id, _ := p["id"].(string)
		if m := s.messages[id]; m != nil && m.Delivered.IsZero() {
			m.Delivered = time.Now()
		}
	}
}

// GatewayStats returns a copy of the gateway counters.
func (s *Server) GatewayStats() GatewayStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gatewayStatsLocked()
}

func (s *Server) gatewayStatsLocked() GatewayStats {
	st := s.gw.stats
	st.CloseCodes = append([]int(nil), st.CloseCodes...)
	st.ClientCloseCodes = append([]int(nil), st.ClientCloseCodes...)
	st.IdentifyTimes = append([]time.Time(nil), st.IdentifyTimes...)
	return st
}

// WaitGateway waits until cond holds for the gateway counters.
func (s *Server) WaitGateway(ctx context.Context, cond func(GatewayStats) bool) error {
	err := s.waitFor(ctx, func() bool { return cond(s.gatewayStatsLocked()) })
	if err != nil {
		return fmt.Errorf("discordtest: waiting for the gateway (now %+v): %w", s.GatewayStats(), err)
	}
	return nil
}

// Violations returns the protocol mistakes the client made so far, in
// order: an IDENTIFY or RESUME on a connection it had been told to leave,
// an IDENTIFY beyond the session start limit or sooner than
// IdentifyInterval after the previous one, requests for a webhook message
// after Discord answered 404 for it, and commands registered in a guild
// with fields Discord allows for global commands only.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

// WaitViolations waits until the client has made at least n violations
// and returns them all.
func (s *Server) WaitViolations(ctx context.Context, n int) ([]string, error) {
	if err := s.waitFor(ctx, func() bool { return len(s.violations) >= n }); err != nil {
		return s.Violations(), fmt.Errorf("discordtest: waiting for %d violations (now %q): %w", n, s.Violations(), err)
	}
	return s.Violations(), nil
}

// ErrNotConnected is returned by DropConnection, RequestReconnect,
// InvalidSession and StopHeartbeatAcks when no connection has a live
// session.
var ErrNotConnected = errors.New("discordtest: not connected")

// Disrupt waits until a connection has a live session, then calls act on
// the server (for example (*Server).RequestReconnect). When the connection
// goes away between the two, it waits for the next one and tries again,
// until ctx ends. Use it for a disruption that follows another, when the
// client may still be reconnecting.
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

// live returns the connection with a live session, or ErrNotConnected.
func (s *Server) liveLocked() (*gwConn, error) {
	c := s.gw.current
	if c == nil || !c.ready {
		return nil, ErrNotConnected
	}
	return c, nil
}

// DropConnection closes the current gateway connection abruptly, without a
// close frame, as a network failure would. The session stays resumable.
func (s *Server) DropConnection() error {
	s.mu.Lock()
	c, err := s.liveLocked()
	if err == nil {
		s.gw.current = nil
		c.ready = false
		s.gw.stats.Connected = false
		s.notifyLocked()
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return c.ws.UnderlyingConn().Close()
}

// RequestReconnect sends RECONNECT (op 7): the client should close the
// connection (with a code other than 1000 and 1001) and resume on a new
// one, through resume_gateway_url. Events dispatched meanwhile are
// replayed.
func (s *Server) RequestReconnect() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.liveLocked()
	if err != nil {
		return err
	}
	return s.interruptLocked(c, Interruption{Op: 7})
}

// InvalidateSession sends INVALID_SESSION (op 9) with d false: the client
// should open a new connection and identify; it gets a new session.
// Events dispatched meanwhile are lost.
func (s *Server) InvalidateSession() error { return s.InvalidSession(false) }

// InvalidSession sends INVALID_SESSION (op 9) with d set to resumable: the
// client should open a new connection, then resume (d true: events
// dispatched meanwhile are replayed) or identify (d false: the session is
// over).
func (s *Server) InvalidSession(resumable bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.liveLocked()
	if err != nil {
		return err
	}
	return s.interruptLocked(c, Interruption{Op: 9, Resumable: resumable})
}

// StopHeartbeatAcks silences the current connection, as a "zombied"
// connection is: the socket stays open, heartbeats are received but not
// acknowledged, and events are not written to it (they are replayed when
// the client resumes on a new connection). Discord's documentation: a
// client that gets no ACK between two heartbeats "should immediately
// terminate the connection with any close code besides 1000 or 1001, then
// reconnect and attempt to Resume".
func (s *Server) StopHeartbeatAcks() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.liveLocked()
	if err != nil {
		return err
	}
	c.silent, c.ready = true, false
	s.gw.current = nil
	s.gw.stats.Connected = false
	s.notifyLocked()
	return nil
}

// Interrupt queues an interruption for the next handshake that reaches its
// stage; queued interruptions apply once each, in order.
func (s *Server) Interrupt(in Interruption) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gw.interrupts = append(s.gw.interrupts, in)
}

// PendingInterruptions returns how many queued interruptions have not
// happened yet.
func (s *Server) PendingInterruptions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.gw.interrupts)
}

// StallHandshakes makes new gateway connections (while on) get no HELLO,
// as Options.StallGateway does from the start.
func (s *Server) StallHandshakes(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gw.stalled = on
}
