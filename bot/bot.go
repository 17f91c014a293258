// Package bot is citebot's Discord front end: slash commands (/ask,
// /search, /sources, /article with title autocomplete, /help), answers to
// messages that mention the bot or arrive as direct messages, and the
// rendering of cited answers as Discord embeds.
//
// A [Bot] connects with discordgo, registers its commands with one bulk
// overwrite (retried with backoff when it fails), and answers until its
// context ends; then it stops accepting questions, lets the answers in
// progress finish (or tells their askers it is shutting down) and closes
// the session. It needs no privileged gateway intent: Discord delivers the
// content of messages that mention the bot and of direct messages without
// MESSAGE_CONTENT.
//
// A supervisor (internal/gateway) owns the gateway connection: it reconnects and
// resumes after every kind of disconnect, keeps within Discord's identify
// limits (identify.go, with state kept across restarts in StateFile), and
// reports readiness and health ([Bot.Status]). discordgo's gateway
// defects that cannot be fixed from outside are patched in
// third_party/discordgo.
//
// Every message it sends allows no mentions, and all text that comes from
// users, articles or a model is escaped ([render.Escape]), so neither a question
// nor an article can ping anyone, break the layout or disguise a link.
//
// Requests to Discord are retried within bounds: after a 429 the bot waits
// the retry_after Discord asks for (a global 429 pauses every request),
// after a 5xx it backs off, at most 5 attempts per request and never past
// the time left to answer (see Options.DeliveryTimeout); 401, 403 and 429
// answers are counted and capped (internal/rest). Its logs never contain
// the token, Options.Secrets or the tokens of interactions, and nothing it
// sends to Discord contains the token or Options.Secrets (internal/redact).
//
// Replies to its answers, mentions in threads where it answered and /ask
// there continue a conversation: the earlier turns go to the answerer as
// rag.Query.History, remembered in memory only (internal/conversation,
// followup.go). Every answer carries 👍/👎 buttons whose votes go to a
// [feedback.Sink] ([feedback.Log] appends them to feedback.jsonl).
//
// The bot depends on rag's domain types only through small interfaces
// ([Answerer], [Searcher], [Library]) that cmd wires to the real index.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"citebot/bot/feedback"
	"citebot/bot/internal/catalog"
	"citebot/bot/internal/conversation"
	"citebot/bot/internal/gateway"
	"citebot/bot/internal/limits"
	"citebot/bot/internal/redact"
	"citebot/bot/internal/render"
	"citebot/bot/internal/rest"
	"citebot/bot/internal/state"
	"citebot/rag"
	"citebot/rag/backoff"
)

// Answerer answers a question with citations. *rag.Extractive and the
// model-backed answerer implement it. While a model writes, it may call
// q.OnDelta with fragments of unverified text.
type Answerer interface {
	Answer(ctx context.Context, q rag.Query) (rag.Answer, error)
}

// Searcher returns the passages that best match a query; *rag.Index
// implements it.
type Searcher interface {
	Search(ctx context.Context, query string, opts rag.SearchOptions) ([]rag.Passage, error)
}

// Library lists the articles of the corpus. It must be safe for concurrent
// use.
type Library interface {
	// Articles returns every article. The bot does not modify the slice.
	// It keeps a sorted copy for /sources and autocomplete while Articles
	// returns the same slice, so return a new slice when the corpus
	// changes (and, for speed, the same one while it does not).
	Articles() []ArticleInfo
	// Article returns the article with the given id.
	Article(id string) (ArticleInfo, bool)
}

// ArticleInfo describes an article of the corpus for /sources, /article and
// autocomplete; it is the renderer's type, named here for [Library].
type ArticleInfo = render.ArticleInfo

var (
	_ Answerer = (*rag.Extractive)(nil)
	_ Searcher = (*rag.Index)(nil)
)

// Options configures a [Bot]. Token, Answerer, Searcher and Library are
// required.
type Options struct {
	// Token is the bot token, with or without the "Bot " prefix. It is sent
	// to Discord only in the Authorization header and the gateway's
	// IDENTIFY; it is never logged, and removed from anything else the bot
	// would send.
	Token string
	// Secrets are other secrets that must never be logged or shown in
	// Discord (serve passes the model server's API key). Like the token,
	// any run of 16 of their characters is removed from every log line and
	// from every message, embed, choice and error text the bot sends.
	// Secrets shorter than 8 characters are ignored (placeholders such as
	// "ollama").
	Secrets []string
	// GuildID registers the commands in that guild only (available at
	// once); empty registers them globally.
	GuildID string

	Answerer Answerer
	Searcher Searcher
	Library  Library
	// ShardID and ShardCount make the bot one shard of several (see
	// shard.go): ShardCount 0 or 1 is no sharding, ShardAuto the count
	// Discord recommends; ShardID is from 0 to ShardCount-1. Default: none.
	ShardID, ShardCount int
	// Timeliner makes the timelines of /timeline. Default: the Searcher,
	// when it is one (as *rag.Index is); without either /timeline says it
	// is not available.
	Timeliner Timeliner

	// TopK is how many passages an answer or search retrieves. Default 5.
	TopK int
	// AsOf returns the "today" of questions asked without as_of. Default:
	// the current UTC date.
	AsOf func() time.Time
	// AnswerTimeout bounds the work on one question. Default 60s.
	AnswerTimeout time.Duration
	// UserRate is how many questions one user may ask per minute (a token
	// bucket with that burst). Default 6.
	UserRate int
	// MaxConcurrent bounds questions answered at once; more get a "busy"
	// reply. Default 8.
	MaxConcurrent int
	// Logger receives the bot's logs. Default: slog.Default().
	Logger *slog.Logger

	// HTTPClient makes the REST calls (and fetches the gateway URL).
	// Default: a client with a 20s timeout. Tests pass one that reaches a
	// local fake of Discord.
	HTTPClient *http.Client
	// OpenTimeout bounds one attempt to connect to the gateway (the
	// handshake up to READY or RESUMED). The first connection fails Run
	// when an attempt times out; later ones are retried with backoff.
	// Default 30s.
	OpenTimeout time.Duration
	// StuckTimeout is how long the bot may go without a gateway session,
	// other than while it waits for one of Discord's limits, before
	// [Bot.Status] reports it unhealthy so that an orchestrator restarts
	// it. Default 10m.
	StuckTimeout time.Duration
	// ShutdownGrace is how long answers in progress may take to finish at
	// shutdown before they are cancelled and their askers told. Default 10s.
	ShutdownGrace time.Duration
	// StreamInterval is the least time between two edits of an answer while
	// a model streams it (Discord rate-limits edits). Default 1s.
	StreamInterval time.Duration
	// DeliveryTimeout bounds showing a user the outcome of their question
	// once it is ready, retries included: when Discord answers 429 (rate
	// limited) or 5xx, the bot waits as Discord asks or backs off, and tries
	// again, at most 5 times in all and never past the 15 minutes an
	// interaction can be answered in; then it gives up and logs why.
	// Default 2m.
	DeliveryTimeout time.Duration
	// StateDir is where the bot keeps StateFile: when it last identified,
	// how many starts in a row failed (for the restart backoff) and where
	// its commands are registered. Empty: kept in memory only, so restarts
	// do not back off. serve uses the data directory.
	StateDir string
	// Conversations bounds how many answers the bot remembers for
	// follow-ups and feedback (internal/conversation); the least recently used
	// are forgotten first. Default 10,000.
	Conversations int
	// ConversationTTL is how long an answer is remembered after it was
	// last answered or continued. Default 1h. Memory only: a restart
	// forgets every conversation.
	ConversationTTL time.Duration
	// Feedback records the votes of the 👍 and 👎 buttons under every
	// answer. Nil: answers carry no feedback buttons.
	Feedback feedback.Sink
	// MessageContent asks for the privileged MESSAGE_CONTENT intent (it
	// must be enabled in the developer portal). Without it Discord sends
	// the bot the text of guild messages only when they mention it, so a
	// reply to an answer is seen only with the reply's ping on (or in a
	// direct message); with it, replies without the ping are answered too.
	MessageContent bool
	// DisableReconnect stops the bot from reconnecting after a lost
	// gateway connection (for tests that end the connection on purpose).
	DisableReconnect bool

	// timings are the waits around Discord's limits; tests shorten them.
	timings timings
}

// Defaults of [Options]. config.Default writes the same values for the
// discord keys (config imports no other package of citebot);
// TestConfigDefaultsAreThePackagesDefaults in cmd/citebot fails when they
// differ.
const (
	// DefaultTopK is Options.TopK's default, rag's default K.
	DefaultTopK = rag.DefaultK
	// DefaultAnswerTimeout is Options.AnswerTimeout's default.
	DefaultAnswerTimeout = 60 * time.Second
	// DefaultUserRate is Options.UserRate's default, in questions a minute.
	DefaultUserRate = 6
	// DefaultMaxConcurrent is Options.MaxConcurrent's default.
	DefaultMaxConcurrent = 8
	// DefaultShutdownGrace is Options.ShutdownGrace's default.
	DefaultShutdownGrace = 10 * time.Second
	// DefaultConversations is Options.Conversations's default.
	DefaultConversations = 10000
	// DefaultConversationTTL is Options.ConversationTTL's default.
	DefaultConversationTTL = time.Hour
)

// sendTimeout bounds registering the commands, and how long shutdown
// waits for askers to be told that their answers were cancelled.
const sendTimeout = 10 * time.Second

// Intents are the gateway intents the bot asks for: guilds, guild messages
// and direct messages. None is privileged.
const Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages

// Bot is a Discord bot answering questions from a corpus. Create it with
// [New] and start it with [Bot.Run].
type Bot struct {
	opts  Options
	log   *slog.Logger
	s     *discordgo.Session
	guard *gateway.DialGuard
	gw    *gateway.Supervisor
	gate  *rest.Gate
	lim   *limits.Limiter
	// secrets finds the token and Options.Secrets in text.
	secrets redact.Filter
	state   *state.Store
	convs   *conversation.Store
	fbOrder ticketLock

	// work is the parent context of answers; it is cancelled when the
	// shutdown grace period ends.
	work       context.Context
	cancelWork context.CancelFunc
	// sending is the parent context of requests to Discord; it is
	// cancelled when shutdown closes the session.
	sending       context.Context
	cancelSending context.CancelFunc
	// ownClient reports that the bot made its HTTP client (and closes its
	// idle connections at the end).
	ownClient bool

	pages timelines // for the page buttons of /timeline
	// shardTurnTaken is set once a shard has waited its turn to identify.
	shardTurnTaken atomic.Bool

	mu      sync.Mutex
	closing bool
	active  tracker

	cat *catalog.Catalog

	// guilds are the ids of the guilds READY listed (at most
	// maxClearGuilds), once ready is closed.
	guildsMu sync.Mutex
	guilds   []string
	ready    chan struct{}
	once     sync.Once
}

// New checks opts and prepares a bot; it does not connect.
func New(opts Options) (*Bot, error) {
	tok := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(opts.Token), "Bot "))
	switch {
	case tok == "":
		return nil, errors.New("bot: a token is required")
	case opts.Answerer == nil || opts.Searcher == nil || opts.Library == nil:
		return nil, errors.New("bot: Answerer, Searcher and Library are required")
	}
	ownClient := opts.HTTPClient == nil
	opts = opts.withDefaults()
	// Every log line goes through a handler that removes the token, the
	// other secrets and interaction tokens, whatever logs it; every body
	// sent to Discord through scrubOutgoing.
	secrets := redact.New(append([]string{tok}, opts.Secrets...)...)
	opts.Logger = redact.Logger(opts.Logger, secrets)
	if err := checkShards(opts); err != nil {
		return nil, err
	}
	s, err := discordgo.New("Bot " + tok)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	b := &Bot{opts: opts, log: opts.Logger, s: s, lim: limits.New(opts.UserRate, opts.MaxConcurrent), ownClient: ownClient, secrets: secrets,
		convs: conversation.New(opts.Conversations, opts.ConversationTTL), cat: catalog.New(opts.Library)}
	b.guard = gateway.NewDialGuard(opts.OpenTimeout)
	b.gw = gateway.New(gateway.Config{Session: s, Guard: b.guard, BeforeIdentify: b.beforeIdentify, Identified: b.identified, Log: b.log,
		OpenTimeout: opts.OpenTimeout, StuckTimeout: opts.StuckTimeout, HTTPTimeout: opts.HTTPClient.Timeout, DisableReconnect: opts.DisableReconnect})
	b.configureSession()
	if b.state, err = state.Open(opts.StateDir, stateFileName(opts)); err != nil {
		b.log.Warn("the bot's state file cannot be used", "error", err.Error())
	}
	installLogger(b.log)
	b.work, b.cancelWork = context.WithCancel(context.Background())
	b.sending, b.cancelSending = context.WithCancel(context.Background())
	b.addHandlers()
	return b, nil
}

// withDefaults returns opts with every zero value replaced by its default.
func (opts Options) withDefaults() Options {
	positiveOr(&opts.TopK, DefaultTopK)
	if opts.AsOf == nil {
		opts.AsOf = func() time.Time { return rag.Today(time.Now()) }
	}
	positiveOr(&opts.AnswerTimeout, DefaultAnswerTimeout)
	positiveOr(&opts.UserRate, DefaultUserRate)
	positiveOr(&opts.MaxConcurrent, DefaultMaxConcurrent)
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	positiveOr(&opts.Conversations, DefaultConversations)
	positiveOr(&opts.ConversationTTL, DefaultConversationTTL)
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 20 * time.Second}
	}
	positiveOr(&opts.OpenTimeout, 30*time.Second)
	positiveOr(&opts.StuckTimeout, 10*time.Minute)
	opts.timings = opts.timings.withDefaults()
	positiveOr(&opts.ShutdownGrace, DefaultShutdownGrace)
	positiveOr(&opts.StreamInterval, time.Second)
	positiveOr(&opts.DeliveryTimeout, 2*time.Minute)
	return opts
}

// positiveOr sets *v to def when it is not positive.
func positiveOr[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// configureSession sets up the discordgo session: every REST request,
// discordgo's included, goes through the gate (internal/rest), which keeps
// the global rate limits and counts invalid requests; the gateway dials
// through the dial guard; reconnects and rate-limit retries are the
// bot's, not discordgo's.
func (b *Bot) configureSession() {
	s, opts := b.s, b.opts
	base := opts.HTTPClient.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	b.gate = rest.NewGate(base, b.log, opts.timings.invalidBudget)
	client := *opts.HTTPClient
	client.Transport = b.gate
	if opts.ShardCount > 1 {
		s.ShardID, s.ShardCount = opts.ShardID, opts.ShardCount
	}
	s.Client = &client
	s.Dialer = &websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: 15 * time.Second, NetDialContext: b.guard.Dial}
	s.Identify.Intents = Intents
	if opts.MessageContent {
		s.Identify.Intents |= discordgo.IntentMessageContent
	}
	// The bot's gateway supervisor reconnects (internal/gateway), not discordgo.
	s.ShouldReconnectOnError = false
	// discordgo would retry a 429 for ever, sleeping through retry_after
	// without a context; the bot's own requests retry with bounds
	// (rest.go), and discordgo's few (the gateway URL) fail instead.
	s.ShouldRetryOnRateLimit = false
	s.StateEnabled = false
	s.LogLevel = discordgo.LogWarning
	if b.log.Enabled(context.Background(), slog.LevelDebug) {
		s.LogLevel = discordgo.LogInformational
	}
}

// addHandlers registers the bot's handlers of gateway events.
func (b *Bot) addHandlers() {
	s := b.s
	s.AddHandler(b.onInteraction)
	s.AddHandler(b.onMessage)
	b.trackThreads()
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
		b.gw.Disconnected()
		b.log.Debug("disconnected from the Discord gateway")
	})
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) {
		b.log.Info("gateway session resumed")
	})
	b.ready = make(chan struct{})
	s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
		b.guildsMu.Lock()
		b.guilds = b.guilds[:0]
		for _, g := range r.Guilds {
			if g != nil && len(b.guilds) < maxClearGuilds {
				b.guilds = append(b.guilds, g.ID)
			}
		}
		b.guildsMu.Unlock()
		b.once.Do(func() { close(b.ready) })
		if r.User != nil {
			b.log.Debug("gateway session ready", "user", r.User.Username, "session", r.SessionID)
		}
	})
}

// Run connects to Discord, registers the commands and answers until ctx
// ends, then shuts down: it stops accepting questions, waits up to
// ShutdownGrace for answers in progress, cancels the rest (their askers are
// told) and closes the session. It returns nil after a clean shutdown, and
// an error when it cannot connect or register.
func (b *Bot) Run(ctx context.Context) error {
	if err := b.restartBackoff(ctx); err != nil {
		return nil // stopped while waiting
	}
	if err := b.gw.ConnectFirst(ctx); err != nil {
		// A request for the gateway URL may still be in flight (it has no
		// context and runs until the HTTP client's timeout): do not wait
		// for it, but make sure it can no longer open a connection.
		b.guard.Stop()
		if ctx.Err() != nil {
			return nil // stopped while connecting
		}
		return gateway.ConnectError(err)
	}
	user, appID := b.identity()
	b.log.Info("connected to Discord", "bot", user.Username, "bot_id", user.ID)
	loop, stopLoop := context.WithCancel(ctx)
	defer stopLoop()
	b.gw.Start(loop)
	registered := make(chan struct{})
	go func() {
		defer close(registered)
		b.registerLoop(loop, user, appID)
	}()
	stable := time.NewTimer(b.opts.timings.stableAfter)
	defer stable.Stop()
	var runErr error
	for running := true; running; {
		select {
		case <-ctx.Done():
			running = false
		case runErr = <-b.gw.Fatal():
			b.log.Error("the Discord gateway refused the bot; stopping", "error", runErr.Error())
			running = false
		case <-stable.C:
			if b.Status().Ready {
				b.settled() // up long enough: the next restart need not wait
			} else {
				stable.Reset(b.opts.timings.stableAfter)
			}
		}
	}
	stopLoop()
	<-registered
	b.shutdown()
	if runErr == nil {
		b.settled()
	}
	return runErr
}

// registerLoop registers the slash commands, and when that fails (a
// server error, a wrong guild id, an invite without the
// applications.commands scope) logs why and tries again after 5 s, 10 s,
// 20 s, … at most 10 minutes, until it works or ctx ends. Mentions and
// direct messages are answered meanwhile.
func (b *Bot) registerLoop(ctx context.Context, user *discordgo.User, appID string) {
	if b.opts.ShardID > 0 {
		b.log.Info("citebot is online", "bot", user.Username, "bot_id", user.ID, "shard", b.opts.ShardID, "commands", 0, "scope", "registered by shard 0")
		return
	}
	for n := 1; ; n++ {
		count, err := b.register(ctx, appID)
		if err == nil {
			scope := "global (may take up to an hour to appear)"
			if b.opts.GuildID != "" {
				scope = "guild " + b.opts.GuildID
			}
			b.log.Info("citebot is online", "bot", user.Username, "bot_id", user.ID, "commands", count, "scope", scope)
			return
		}
		if ctx.Err() != nil {
			return
		}
		wait := doubling(b.opts.timings.registerBase, n, maxRegisterBackoff)
		b.log.Warn("could not register the slash commands; trying again later (mentions and direct messages are answered meanwhile)",
			"error", err.Error(), "attempt", n, "retry_in", wait)
		if backoff.Sleep(ctx, wait) != nil {
			return
		}
	}
}

// identity returns the bot user and application id from READY.
func (b *Bot) identity() (*discordgo.User, string) {
	b.s.State.RLock()
	defer b.s.State.RUnlock()
	u := b.s.State.User
	if u == nil {
		u = &discordgo.User{}
	}
	appID := u.ID
	if b.s.State.Application != nil && b.s.State.Application.ID != "" {
		appID = b.s.State.Application.ID
	}
	return u, appID
}

// selfID returns the bot's user id.
func (b *Bot) selfID() string {
	u, _ := b.identity()
	return u.ID
}

// register overwrites the application's commands in the configured scope
// with [CommandsFor] it, then clears the other scopes (clearOtherScopes).
func (b *Bot) register(ctx context.Context, appID string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	n, err := b.registerCommands(ctx, appID, b.opts.GuildID, CommandsFor(b.opts.GuildID))
	if err != nil {
		var re *discordgo.RESTError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusForbidden && b.opts.GuildID != "" {
			return 0, fmt.Errorf("register commands in guild %s: missing access; invite the bot to that server with the applications.commands scope (see docs/discord.md)", b.opts.GuildID)
		}
		return 0, err
	}
	b.clearOtherScopes(ctx, appID)
	return n, nil
}

// maxClearGuilds bounds the guilds whose commands a first start checks.
const maxClearGuilds = 10

// scopeGlobal names the global scope in StateFile.
const scopeGlobal = "global"

// clearOtherScopes removes the bot's commands from the scopes it no longer
// registers in, so that switching discord.guild_id on or off does not
// leave users with every command twice. Candidates: the scopes StateFile
// records; the global scope whenever the commands go to a guild; and, on
// the first start with a state directory and global commands, the guilds
// READY listed (at most 10). A scope with commands gets a bulk overwrite
// with none. Failures are logged; scopes recorded in StateFile are tried
// again at the next start.
func (b *Bot) clearOtherScopes(ctx context.Context, appID string) {
	scope := b.opts.GuildID
	if scope == "" {
		scope = scopeGlobal
	}
	recorded := b.state.Get().CommandScopes
	var others []string
	add := func(s string) {
		if s != scope && !slices.Contains(others, s) {
			others = append(others, s)
		}
	}
	for _, s := range recorded {
		add(s)
	}
	if scope != scopeGlobal {
		add(scopeGlobal)
	} else if len(recorded) == 0 {
		select {
		case <-b.ready:
		case <-ctx.Done():
		}
		b.guildsMu.Lock()
		for _, g := range b.guilds {
			add(g)
		}
		b.guildsMu.Unlock()
	}
	keep := []string{scope}
	for _, other := range others {
		guild := other
		if other == scopeGlobal {
			guild = ""
		}
		n, err := b.clearCommands(ctx, appID, guild)
		switch {
		case err != nil:
			b.log.Warn("could not remove the slash commands of a scope the bot no longer registers in; users may see them twice", "scope", other, "error", err.Error())
			if slices.Contains(recorded, other) {
				keep = append(keep, other)
			}
		case n > 0:
			b.log.Info("removed the slash commands registered in another scope", "scope", other, "commands", n, "now", scope)
		}
	}
	b.save(func(p *state.Persisted) { p.CommandScopes = keep })
}

// begin counts a handler in; it returns false once shutdown has begun.
// Either way the caller must call b.active.done().
func (b *Bot) begin() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.active.add()
	return !b.closing
}

// shutdown stops accepting work, waits for work in progress (bounded),
// then closes the session.
func (b *Bot) shutdown() {
	b.mu.Lock()
	b.closing = true
	n := b.active.count()
	b.mu.Unlock()
	b.log.Info("shutting down: finishing answers in progress", "in_progress", n, "grace", b.opts.ShutdownGrace)
	grace, cancel := context.WithTimeout(context.Background(), b.opts.ShutdownGrace)
	err := b.active.wait(grace)
	cancel()
	if err != nil {
		b.log.Warn("answers still in progress after the grace period; cancelling them", "in_progress", b.active.count())
		b.cancelWork()
		last, cancel := context.WithTimeout(context.Background(), sendTimeout)
		_ = b.active.wait(last)
		cancel()
	}
	b.cancelWork()
	// Whatever is still sending gives up now; handlers return at once.
	b.cancelSending()
	last, cancelLast := context.WithTimeout(context.Background(), 2*time.Second)
	_ = b.active.wait(last)
	cancelLast()
	// The reconnect loop has been told to stop; once it has, nothing opens
	// a connection any more.
	b.gw.Stop()
	b.guard.Stop()
	b.closeSession()
	if b.ownClient {
		b.s.Client.CloseIdleConnections()
	}
	b.log.Info("disconnected from Discord")
}

func (b *Bot) closeSession() {
	if b.gw.OpenInProgress() {
		// An Open that outlived its deadline holds discordgo's lock: Close
		// would wait for it. The guard has closed its connection and
		// refuses new ones, so it ends without a session.
		return
	}
	if err := b.s.Close(); err != nil {
		b.log.Warn("closing the Discord session", "error", err.Error())
	}
}

// shuttingDown is what users hear while the bot stops.
const shuttingDown = "citebot is restarting or shutting down and cannot take questions right now. Please try again in a minute."

// tracker counts work in progress and lets shutdown wait for none.
type tracker struct {
	mu   sync.Mutex
	n    int
	zero chan struct{}
}

func (t *tracker) add() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == 0 {
		t.zero = make(chan struct{})
	}
	t.n++
}

func (t *tracker) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n--
	if t.n == 0 {
		close(t.zero)
	}
}

func (t *tracker) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}

// wait returns when nothing is in progress, or ctx's error.
func (t *tracker) wait(ctx context.Context) error {
	t.mu.Lock()
	if t.n == 0 {
		t.mu.Unlock()
		return nil
	}
	z := t.zero
	t.mu.Unlock()
	select {
	case <-z:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// dgLog forwards discordgo's log lines to the newest bot's logger, which
// redacts secrets.
var (
	dgLog     atomic.Pointer[slog.Logger]
	dgLogOnce sync.Once
)

func installLogger(log *slog.Logger) {
	dgLog.Store(log)
	dgLogOnce.Do(func() {
		discordgo.Logger = func(level, _ int, format string, a ...any) {
			sink := dgLog.Load()
			if sink == nil {
				return
			}
			msg := strings.TrimSpace(fmt.Sprintf(format, a...))
			switch level {
			case discordgo.LogError:
				sink.Warn("discordgo: " + msg)
			case discordgo.LogWarning:
				sink.Info("discordgo: " + msg)
			default:
				sink.Debug("discordgo: " + msg)
			}
		}
	})
}
