package bot

import (
	"time"

	"citebot/bot/internal/gateway"
	"citebot/bot/internal/rest"
)

// GatewayStats counts what happened on the gateway since Run started:
// sessions established (READY or RESUMED), resumes, IDENTIFYs and live
// connections lost.
type GatewayStats = gateway.Stats

// RESTStats counts what the bot's requests to Discord's REST API ran
// into: 401, 403 and 429 answers, global pauses and refused requests.
type RESTStats = rest.Stats

// Status is the state of the bot's gateway connection, for readiness and
// health checks.
type Status struct {
	// Ready reports a live gateway session: READY or RESUMED received and
	// the connection not lost since.
	Ready bool
	// State says what the connection is doing: "ok", "connecting",
	// "reconnecting", "waiting: …" (for one of Discord's limits),
	// "disconnected" or "shutting down".
	State string
	// Since is when State began.
	Since time.Time
	// Healthy is false when the bot cannot make progress by itself and
	// should be restarted; Problem then says why.
	Healthy bool
	Problem string
	// Gateway counts connections, resumes and IDENTIFYs since Run began.
	Gateway GatewayStats
	// REST counts the requests to Discord's REST API that were refused
	// or rate-limited.
	REST RESTStats
}

// Status returns the state of the gateway connection. It never blocks on
// discordgo.
func (b *Bot) Status() Status {
	rest := b.gate.Snapshot()
	h := b.gw.Health()
	return Status{Ready: h.Ready, State: h.State, Since: h.Since, Healthy: h.Healthy, Problem: h.Problem, Gateway: h.Stats, REST: rest}
}

// Connected reports whether the bot has a live gateway session (see
// [Bot.Status]).
func (b *Bot) Connected() bool { return b.Status().Ready }
