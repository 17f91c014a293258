// Package discordtest is a local fake of Discord for tests: the REST API a
// bot uses (gateway discovery with the session start limit, command
// registration, interaction callbacks, webhook edits and follow-ups,
// channel messages) and the gateway WebSocket (HELLO, IDENTIFY,
// heartbeats, READY with a resume_gateway_url of its own, dispatches,
// RESUME with replay, RECONNECT, INVALID_SESSION), threads
// ([Server.CreateThread]: THREAD_CREATE, messages and commands in a thread
// channel) and button clicks ([Server.Click]: interactions of type 3 with
// their custom_id, answered within 3 seconds by a new message, type 4 or
// 5, or an update of the clicked message, type 6 or 7).
//
// It enforces the rules real Discord enforces and a bot can get wrong: one
// acknowledgement per interaction within 3 seconds (a second one is 400 with
// code 40060, a late one 404 with code 10062), message limits (content 2000,
// 10 embeds, 6000 characters across embeds, 5 rows of 5 components, …),
// authorization, replies to unknown messages, message content hidden
// without the MESSAGE_CONTENT intent, sessions ended by a client close
// with 1000 or 1001, and the session start limit (an IDENTIFY with none
// left resets the token, as on Discord). Payloads are shaped as Discord
// sends them (snowflake strings, member.user in guilds and user in DMs,
// reply pings with mentions and referenced_message, …). Mistakes Discord
// tolerates but punishes later (an IDENTIFY on a connection told to
// reconnect, identifying too often, editing a message after a 404,
// global-only fields on guild commands) are recorded as
// [Server.Violations].
//
// Everything the bot sends is recorded ([Server.Requests]) with its decoded
// JSON body and its time relative to the interaction it answers;
// [Server.Outcome] tells what the user of an interaction sees. Tests can
// script Discord's failures: 429 per route or global ([Server.RateLimit],
// [Server.RateLimitGlobal]) with the headers Discord sends, server errors
// ([Server.Fail]), requests held before their answer ([Server.Hold]),
// deleted responses ([Server.DeleteResponse]), and gateway faults: dropped
// connections, RECONNECT and INVALID_SESSION at any point of a handshake
// ([Server.Interrupt]) or of a session, heartbeats no longer acknowledged
// ([Server.StopHeartbeatAcks]) and handshakes that stall.
//
// Point discordgo at it with [Server.Client] as the session's HTTP client:
// discordgo computes its endpoint URLs at package load, so the client's
// transport rewrites https://discord.com to the fake; the gateway URL the fake
// returns from GET /gateway points at its own WebSocket server.
package discordtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// APIPrefix is the path prefix of the REST API version discordgo uses.
const APIPrefix = "/api/v9"

// Error codes Discord returns in JSON error bodies.
const (
	CodeUnknownChannel      = 10003
	CodeUnknownMessage      = 10008
	CodeUnknownWebhook      = 10015
	CodeUnknownInteraction  = 10062
	CodeCannotSendEmpty     = 50006
	CodeInvalidFormBody     = 50035
	CodeAlreadyAcknowledged = 40060
)

// Options configures a [Server]. The zero value is usable.
type Options struct {
	// Token is the bot token the fake accepts (without the "Bot " prefix).
	// Default: a token of the real shape.
	Token string
	// HeartbeatInterval is sent in HELLO. Default 1s (Discord: about 41s).
	// A client that gives up a connection whose ACK is late by about an
	// interval may do so on a loaded test machine with much less; tests
	// of silent connections set less and let the client reconnect.
	HeartbeatInterval time.Duration
	// AckDeadline is how long an interaction may stay unacknowledged.
	// Default 3s, as on Discord.
	AckDeadline time.Duration
	// GuildID is the guild the bot is in. Default: a generated snowflake.
	GuildID string
	// BotName is the bot's username. Default "citebot".
	BotName string
	// StallGateway makes the gateway accept connections but never send
	// HELLO, to test connection deadlines.
	StallGateway bool
	// AllowUnknownRoutes turns requests to routes the fake does not serve
	// into plain 404 answers instead of test errors.
	AllowUnknownRoutes bool
	// SessionStartLimit is the session_start_limit of GET /gateway/bot,
	// which every IDENTIFY uses up. Zero Total: 1000 a day, all left,
	// max_concurrency 1, as for a new bot.
	SessionStartLimit SessionStartLimit
	// EnabledIntents are the privileged intents the application has
	// enabled in the developer portal (e.g. IntentMessageContent); an
	// IDENTIFY asking for any other privileged intent is closed with 4014.
	EnabledIntents int
	// IdentifyInterval, when set, is the least time between two IDENTIFYs
	// (Discord: one per 5 seconds per max_concurrency bucket); a sooner one
	// gets INVALID_SESSION (d false), as on Discord, and is a violation.
	// Zero: not checked.
	IdentifyInterval time.Duration
	// RecommendedShards is the "shards" of GET /gateway/bot. Default 1.
	RecommendedShards int
}

// DefaultToken is a made-up bot token of the real shape (three dot-separated
// base64 parts, about 70 characters).
const DefaultToken = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789ABCD"

// User is a Discord user as the fake describes it in payloads.
type User struct {
	ID         string
	Username   string
	GlobalName string
	Bot        bool
}

// Server is a running fake of Discord's REST API and gateway.
type Server struct {
	tb      testing.TB
	opts    Options
	rest    *httptest.Server
	gateway *httptest.Server
	// resumeGW serves the resume_gateway_url of READY: the same gateway
	// behind a distinct URL, so that tests see which one a client uses.
	resumeGW *httptest.Server

	// AppID, BotUser and GuildID identify the application, its bot user and
	// the guild it is in.
	AppID   string
	BotUser User
	GuildID string
	// ChannelID is the guild's text channel, where invocations and posts
	// happen by default.
	ChannelID string

	mu            sync.Mutex
	changed       chan struct{} // closed and replaced on every recorded change
	requests      []Request
	interactions  map[string]*interaction // by token
	messages      map[string]*Message
	channels      map[string]channelInfo
	extraGuilds   []fakeGuild                 // guilds besides GuildID (AddGuild)
	commands      map[string][]map[string]any // scope ("" global, guild id) → registered commands
	registrations [][]map[string]any
	limits        []*rateLimit
	holds         []*Hold
	gw            gatewayState
	snow          int64
	violations    []string
	invalid       []time.Time // 401, 403 and counted 429 answers
}

// New starts a fake Discord; it is closed when the test ends.
func New(tb testing.TB, opts Options) *Server {
	tb.Helper()
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if opts.HeartbeatInterval <= 0 {
		opts.HeartbeatInterval = time.Second
	}
	if opts.AckDeadline <= 0 {
		opts.AckDeadline = 3 * time.Second
	}
	if opts.BotName == "" {
		opts.BotName = "citebot"
	}
	if opts.SessionStartLimit.Total == 0 {
		opts.SessionStartLimit = SessionStartLimit{Total: 1000, Remaining: 1000, ResetAfter: 24 * time.Hour, MaxConcurrency: 1}
	}
	if opts.SessionStartLimit.MaxConcurrency == 0 {
		opts.SessionStartLimit.MaxConcurrency = 1
	}
	s := &Server{
		tb:           tb,
		opts:         opts,
		changed:      make(chan struct{}),
		interactions: map[string]*interaction{},
		messages:     map[string]*Message{},
		channels:     map[string]channelInfo{},
		commands:     map[string][]map[string]any{},
		gw: gatewayState{sessions: map[string]*gwSession{}, limit: opts.SessionStartLimit,
			limitResetAt: time.Now().Add(opts.SessionStartLimit.ResetAfter)},
	}
	s.AppID = s.Snowflake()
	s.BotUser = User{ID: s.AppID, Username: opts.BotName, Bot: true}
	s.GuildID = opts.GuildID
	if s.GuildID == "" {
		s.GuildID = s.Snowflake()
	}
	s.ChannelID = s.Snowflake()
	s.channels[s.ChannelID] = channelInfo{id: s.ChannelID, guildID: s.GuildID}
	s.rest = httptest.NewServer(s.routes())
	s.gateway = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serveGateway(w, r, false) }))
	s.resumeGW = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serveGateway(w, r, true) }))
	tb.Cleanup(s.Close)
	return s
}

// Close stops both servers and drops gateway connections. It is safe to call
// more than once.
func (s *Server) Close() {
	s.mu.Lock()
	conns := s.gw.allConns()
	s.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
	s.gateway.Close()
	s.resumeGW.Close()
	s.rest.Close()
}

// Token returns the bot token the fake accepts.
func (s *Server) Token() string { return s.opts.Token }

// URL returns the base URL of the REST server (without /api/v9).
func (s *Server) URL() string { return s.rest.URL }

// GatewayURL returns the WebSocket URL the fake hands out from GET /gateway.
func (s *Server) GatewayURL() string { return "ws" + strings.TrimPrefix(s.gateway.URL, "http") }

// ResumeGatewayURL returns the resume_gateway_url of READY: the same
// gateway behind another URL (another port), as Discord hands out one per
// session.
func (s *Server) ResumeGatewayURL() string { return "ws" + strings.TrimPrefix(s.resumeGW.URL, "http") }

// Client returns an HTTP client whose transport sends requests for
// discord.com to the fake. Requests to other hosts fail.
func (s *Server) Client() *http.Client {
	u, _ := url.Parse(s.rest.URL)
	return &http.Client{Transport: &rewrite{host: u.Host, base: s.rest.Client().Transport}, Timeout: 10 * time.Second}
}

type rewrite struct {
	host string
	base http.RoundTripper
}

func (r *rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	if h := req.URL.Hostname(); h != "discord.com" && h != "discordapp.com" {
		return nil, fmt.Errorf("discordtest: refusing a request to %s: only discord.com is faked", req.URL.Host)
	}
	req = req.Clone(req.Context())
	req.URL.Scheme = "http"
	req.URL.Host = r.host
	req.Host = r.host
	return r.base.RoundTrip(req)
}

// Snowflake returns a new unique Discord id.
func (s *Server) Snowflake() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snowflakeLocked()
}

func (s *Server) snowflakeLocked() string {
	const discordEpoch = 1420070400000
	s.snow++
	return strconv.FormatInt((time.Now().UnixMilli()-discordEpoch)<<22|(s.snow&0x3fffff), 10)
}

// notifyLocked wakes everything waiting for a change.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitFor calls check under the lock until it returns true or ctx ends.
func (s *Server) waitFor(ctx context.Context, check func() bool) error {
	for {
		s.mu.Lock()
		ok := check()
		ch := s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Request is one request the bot made, as the fake received and answered it.
type Request struct {
	// Method and Path are as sent; Path includes the /api/v9 prefix.
	Method, Path string
	// Route is the matched path pattern without the prefix, e.g.
	// "/interactions/{interaction}/{token}/callback"; empty when no route
	// matched.
	Route string
	// Query is the URL query.
	Query url.Values
	// Header holds the request headers.
	Header http.Header
	// Body is the decoded JSON body (nil when the body is empty or not JSON).
	Body map[string]any
	// BodyArray is the decoded body when it is a JSON array (command
	// registration).
	BodyArray []any
	// Status is the status code the fake answered with.
	Status int
	// Response is the body the fake answered with.
	Response []byte
	// At is when the request arrived.
	At time.Time
	// Interaction is the id of the interaction the request answers, if any,
	// and Since the time between its dispatch and this request.
	Interaction string
	Since       time.Duration
}

// Message returns the message payload of the request: Body["data"] for an
// interaction callback, Body otherwise.
func (r Request) Message() map[string]any {
	if strings.HasSuffix(r.Route, "/callback") {
		d, _ := r.Body["data"].(map[string]any)
		return d
	}
	return r.Body
}

// WaitReply waits until the bot has replied to the message with the given
// id (a message sent with that message_reference and answered 200) and
// returns the reply's request.
func (s *Server) WaitReply(ctx context.Context, id string) (Request, error) {
	return s.WaitRequest(ctx, func(r Request) bool { return r.RepliesTo(id) && r.Status == http.StatusOK })
}

// RepliesTo reports whether the request sends a message that replies to
// the message with the given id (its message_reference).
func (r Request) RepliesTo(id string) bool {
	ref, _ := r.Body["message_reference"].(map[string]any)
	return ref != nil && ref["message_id"] == id
}

// CarriesMessage reports whether the request creates or edits a message
// (channel messages, interaction responses with a message, webhook edits
// and follow-ups).
func (r Request) CarriesMessage() bool {
	switch {
	case r.Method == http.MethodPost && strings.HasSuffix(r.Route, "/callback"):
		t, _ := r.Body["type"].(float64)
		return t == 4 || t == 5 || t == 7
	case r.Method == http.MethodPatch && strings.HasPrefix(r.Route, "/webhooks/"):
		return true
	case r.Method == http.MethodPost && r.Route == "/webhooks/{application}/{token}":
		return true
	case r.Method == http.MethodPost && r.Route == "/channels/{channel}/messages":
		return true
	}
	return false
}

// Requests returns a copy of everything recorded so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// WaitRequest waits until a request satisfying match has been answered and
// returns the first one.
func (s *Server) WaitRequest(ctx context.Context, match func(Request) bool) (Request, error) {
	var found Request
	err := s.waitFor(ctx, func() bool {
		for _, r := range s.requests {
			if match(r) {
				found = r
				return true
			}
		}
		return false
	})
	if err != nil {
		return Request{}, fmt.Errorf("discordtest: waiting for a request: %w", err)
	}
	return found, nil
}

// InvalidRequests returns how many requests the fake answered with 401,
// 403 or 429 (other than a 429 of scope "shared") in the last 10 minutes:
// Discord bans an IP address from its API for a while after 10,000.
func (s *Server) InvalidRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	since := time.Now().Add(-10 * time.Minute)
	n := 0
	for _, t := range s.invalid {
		if t.After(since) {
			n++
		}
	}
	return n
}

// Commands returns the commands registered in a scope: global with
// guildID empty, else that guild's.
func (s *Server) Commands(guildID string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.commands[guildID]...)
}

// Registrations returns the bodies of the command bulk overwrites the bot
// made, in order; each is the list of commands it sent.
func (s *Server) Registrations() [][]map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]map[string]any(nil), s.registrations...)
}

// rateLimit is a scripted failure for a route: a 429 (per route or
// global) or a server error.
type rateLimit struct {
	route      string
	remaining  int
	retryAfter time.Duration
	global     bool
	status     int // 429 or 5xx
}

// RateLimit makes the next n requests to route (e.g. "PATCH
// /webhooks/{application}/{token}/messages/{message}") fail with 429 and a
// retry_after of retryAfter, with the headers Discord sends for a route's
// limit (X-RateLimit-Remaining 0, X-RateLimit-Reset-After, Retry-After,
// X-RateLimit-Scope user). The request is not carried out.
func (s *Server) RateLimit(route string, n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = append(s.limits, &rateLimit{route: route, remaining: n, retryAfter: retryAfter, status: http.StatusTooManyRequests})
}

// RateLimitGlobal is like [Server.RateLimit] for Discord's global rate
// limit: the 429 says "global": true and carries X-RateLimit-Global and
// X-RateLimit-Scope global, and no bucket headers.
func (s *Server) RateLimitGlobal(route string, n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = append(s.limits, &rateLimit{route: route, remaining: n, retryAfter: retryAfter, global: true, status: http.StatusTooManyRequests})
}

// Fail makes the next n requests to route fail with status (a server
// error such as 500, 502, 503 or 504) without being carried out. n < 0
// fails every request to route from now on.
func (s *Server) Fail(route string, n int, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n < 0 {
		n = math.MaxInt
	}
	s.limits = append(s.limits, &rateLimit{route: route, remaining: n, status: status})
}

// Hold pauses matching requests before they are answered.
type Hold struct {
	route    string
	arrived  chan Request
	release  chan struct{}
	once     sync.Once
	consumed bool
}

// Hold makes the next request to route wait, after it has been checked and
// applied but before it is answered, until Release is called. Arrived
// receives the request when it arrives. The 3-second deadline is checked at
// arrival.
func (s *Server) Hold(route string) *Hold {
	h := &Hold{route: route, arrived: make(chan Request, 1), release: make(chan struct{})}
	s.mu.Lock()
	s.holds = append(s.holds, h)
	s.mu.Unlock()
	s.tb.Cleanup(h.Release)
	return h
}

// Arrived receives the held request when it arrives.
func (h *Hold) Arrived() <-chan Request { return h.arrived }

// Release lets the held request (and any later one) be answered.
func (h *Hold) Release() { h.once.Do(func() { close(h.release) }) }

// apiError is Discord's JSON error body.
type apiError struct {
	Message string         `json:"message"`
	Code    int            `json:"code"`
	Errors  map[string]any `json:"errors,omitempty"`
}

// httpError is a handler's failure: status and Discord error body.
type httpError struct {
	status     int
	body       apiError
	retryAfter time.Duration // for 429
	global     bool          // for 429
}

func (e *httpError) Error() string {
	return fmt.Sprintf("%d %s (code %d)", e.status, e.body.Message, e.body.Code)
}

func errf(status, code int, format string, args ...any) *httpError {
	return &httpError{status: status, body: apiError{Message: fmt.Sprintf(format, args...), Code: code}}
}

// formError is a 50035 Invalid Form Body with the problems listed.
func formError(problems []string) *httpError {
	errs := map[string]any{}
	for i, p := range problems {
		errs[strconv.Itoa(i)] = map[string]any{"_errors": []map[string]string{{"code": "BASE_TYPE_INVALID", "message": p}}}
	}
	return &httpError{status: http.StatusBadRequest, body: apiError{Message: "Invalid Form Body", Code: CodeInvalidFormBody, Errors: errs}}
}

// handler is a REST route: it gets the request with its decoded body and
// returns a status and a JSON-encodable answer, or an error.
type handler func(r *http.Request, req *Request) (int, any, *httpError)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, auth bool, h handler) {
		method, path, _ := strings.Cut(pattern, " ")
		route := method + " " + path
		mux.HandleFunc(method+" "+APIPrefix+path, func(w http.ResponseWriter, r *http.Request) {
			s.serve(w, r, route, auth, h)
		})
	}
	handle("GET /gateway", false, s.getGateway)
	handle("GET /gateway/bot", true, s.getGatewayBot)
	handle("GET /users/@me", true, s.getMe)
	handle("PUT /applications/{application}/commands", true, s.putCommands)
	handle("PUT /applications/{application}/guilds/{guild}/commands", true, s.putCommands)
	handle("GET /applications/{application}/commands", true, s.getCommands)
	handle("GET /applications/{application}/guilds/{guild}/commands", true, s.getCommands)
	handle("POST /interactions/{interaction}/{token}/callback", false, s.postCallback)
	handle("GET /webhooks/{application}/{token}/messages/{message}", false, s.getWebhookMessage)
	handle("PATCH /webhooks/{application}/{token}/messages/{message}", false, s.patchWebhookMessage)
	handle("DELETE /webhooks/{application}/{token}/messages/{message}", false, s.deleteWebhookMessage)
	handle("POST /webhooks/{application}/{token}", false, s.postFollowup)
	handle("POST /channels/{channel}/messages", true, s.postChannelMessage)
	handle("POST /channels/{channel}/typing", true, s.postTyping)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.serve(w, r, "", false, func(r *http.Request, _ *Request) (int, any, *httpError) {
			if !s.opts.AllowUnknownRoutes {
				s.tb.Errorf("discordtest: the bot called %s %s, which the fake does not serve", r.Method, r.URL.Path)
			}
			return 0, nil, errf(http.StatusNotFound, 0, "404: Not Found")
		})
	})
	return mux
}

// serve records the request, applies scripted rate limits and holds, runs h
// and writes its answer.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, route string, auth bool, h handler) {
	raw, _ := io.ReadAll(r.Body)
	rec := Request{Method: r.Method, Path: r.URL.Path, Route: strings.TrimPrefix(route, r.Method+" "), Query: r.URL.Query(),
		Header: r.Header.Clone(), At: time.Now()}
	if len(bytes.TrimSpace(raw)) > 0 {
		var v any
		if err := json.Unmarshal(raw, &v); err == nil {
			switch v := v.(type) {
			case map[string]any:
				rec.Body = v
			case []any:
				rec.BodyArray = v
			}
		}
	}
	status, body, herr := s.answer(r, &rec, raw, auth, h)
	if tok := r.PathValue("token"); tok != "" && rec.Interaction == "" {
		// Requests refused before their handler ran (401, 429) still
		// belong to their interaction.
		s.mu.Lock()
		if in := s.interactions[tok]; in != nil {
			rec.Interaction, rec.Since = in.id, rec.At.Sub(in.dispatched)
		}
		s.mu.Unlock()
	}
	var out []byte
	headers := rateHeaders(rec.Route)
	switch {
	case herr != nil && herr.status == http.StatusTooManyRequests:
		status = herr.status
		headers = rateLimitedHeaders(herr.retryAfter, herr.global)
		out, _ = json.Marshal(map[string]any{"message": herr.body.Message, "retry_after": herr.retryAfter.Seconds(), "global": herr.global, "code": 0})
	case herr != nil:
		status = herr.status
		out, _ = json.Marshal(herr.body)
	case body != nil:
		out, _ = json.Marshal(body)
	}
	rec.Status = status
	rec.Response = out
	if status == http.StatusUnauthorized || status == http.StatusForbidden || (status == http.StatusTooManyRequests && headers["X-RateLimit-Scope"] != "shared") {
		s.mu.Lock()
		s.invalid = append(s.invalid, rec.At)
		s.mu.Unlock()
	}

	s.mu.Lock()
	var hold *Hold
	for _, h := range s.holds {
		if !h.consumed && h.route == rec.Method+" "+rec.Route {
			h.consumed = true
			hold = h
			break
		}
	}
	if hold == nil {
		s.requests = append(s.requests, rec)
		s.notifyLocked()
	}
	s.mu.Unlock()
	if hold != nil {
		hold.arrived <- rec
		<-hold.release
		s.mu.Lock()
		s.requests = append(s.requests, rec)
		s.notifyLocked()
		s.mu.Unlock()
	}

	w.Header().Set("Date", time.Now().UTC().Format(http.TimeFormat))
	if len(out) > 0 {
		w.Header().Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// answer checks authorization and scripted rate limits, then runs h.
func (s *Server) answer(r *http.Request, rec *Request, raw []byte, auth bool, h handler) (int, any, *httpError) {
	// Interaction and webhook routes need no token, but a wrong one is
	// still refused; so is a token Discord reset.
	if got := r.Header.Get("Authorization"); (auth || got != "") && (got != "Bot "+s.opts.Token || s.GatewayStats().TokenReset) {
		return 0, nil, errf(http.StatusUnauthorized, 0, "401: Unauthorized")
	}
	if len(bytes.TrimSpace(raw)) > 0 && rec.Body == nil && rec.BodyArray == nil {
		return 0, nil, errf(http.StatusBadRequest, CodeInvalidFormBody, "The request body contains invalid JSON.")
	}
	s.mu.Lock()
	for _, l := range s.limits {
		if l.remaining > 0 && l.route == rec.Method+" "+rec.Route {
			l.remaining--
			s.mu.Unlock()
			if l.status != http.StatusTooManyRequests {
				return 0, nil, errf(l.status, 0, "%d: %s", l.status, http.StatusText(l.status))
			}
			return 0, nil, &httpError{status: http.StatusTooManyRequests, body: apiError{Message: "You are being rate limited."}, retryAfter: l.retryAfter, global: l.global}
		}
	}
	s.mu.Unlock()
	status, body, herr := h(r, rec)
	if status == 0 {
		status = http.StatusOK
	}
	return status, body, herr
}

// rateHeaders are the headers of a route's bucket on a normal answer.
func rateHeaders(route string) map[string]string {
	return map[string]string{
		"X-RateLimit-Bucket": fmt.Sprintf("%x", len(route)*2654435761),
		"X-RateLimit-Limit":  "5",
		// Plenty remaining: the fake only limits where a test scripts it.
		"X-RateLimit-Remaining":   "4",
		"X-RateLimit-Reset-After": "0.001",
	}
}

// rateLimitedHeaders are the headers of a 429 answer.
func rateLimitedHeaders(retryAfter time.Duration, global bool) map[string]string {
	secs := retryAfter.Seconds()
	if global {
		return map[string]string{
			"Retry-After":        strconv.Itoa(int(math.Ceil(secs))),
			"X-RateLimit-Global": "true",
			"X-RateLimit-Scope":  "global",
		}
	}
	return map[string]string{
		"Retry-After":             strconv.Itoa(int(math.Ceil(secs))),
		"X-RateLimit-Limit":       "5",
		"X-RateLimit-Remaining":   "0",
		"X-RateLimit-Reset":       strconv.FormatFloat(float64(time.Now().Add(retryAfter).UnixMilli())/1000, 'f', 3, 64),
		"X-RateLimit-Reset-After": strconv.FormatFloat(secs, 'f', 3, 64),
		"X-RateLimit-Scope":       "user",
	}
}
