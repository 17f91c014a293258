package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"citebot/bot"
)

// connection reports the state of the bot's gateway connection; *bot.Bot
// implements it.
type connection interface {
	Status() bot.Status
}

var _ connection = (*bot.Bot)(nil)

// readiness is what /readyz and /healthz report. Ready: the index is
// loaded and the gateway is healthy (a live session; not while connecting,
// reconnecting after a lost connection, a RECONNECT or a missed heartbeat
// ACK, waiting for Discord's limits, or shutting down). Healthy: the
// process can still make progress by itself (see bot.Status.Healthy). It is
// safe for concurrent use.
type readiness struct {
	indexLoaded atomic.Bool
	stopping    atomic.Bool
	discord     atomic.Pointer[connection]
}

// setDiscord makes c the source of the Discord checks.
func (r *readiness) setDiscord(c connection) { r.discord.Store(&c) }

// Check results in the /readyz body.
const (
	checkOK           = "ok"
	checkLoading      = "loading"
	checkNotConnected = "not connected"
	checkShutdown     = "shutting down"
)

// opsService is the "service" of every /healthz and /readyz body: it is
// how `citebot healthcheck` knows that the answer is citebot's, not
// another server's on the same address.
const opsService = "citebot"

// readyStatus is the JSON body of /readyz.
type readyStatus struct {
	Service string            `json:"service"`
	Ready   bool              `json:"ready"`
	Checks  map[string]string `json:"checks"`
}

// status returns the checks and whether all pass.
func (r *readiness) status() readyStatus {
	st := readyStatus{Service: opsService, Checks: map[string]string{"index": checkOK, "discord": checkOK}}
	if !r.indexLoaded.Load() {
		st.Checks["index"] = checkLoading
	}
	if c := r.discord.Load(); c == nil {
		st.Checks["discord"] = checkNotConnected
	} else if gs := (*c).Status(); !gs.Ready {
		st.Checks["discord"] = gs.State
	}
	if r.stopping.Load() {
		st.Checks["discord"] = checkShutdown
	}
	st.Ready = st.Checks["index"] == checkOK && st.Checks["discord"] == checkOK
	return st
}

// ready reports whether /readyz answers 200.
func (r *readiness) ready() bool { return r.status().Ready }

// healthStatus is the JSON body of /healthz.
type healthStatus struct {
	Service string `json:"service"`
	Status  string `json:"status"`
	Version string `json:"version"`
	Problem string `json:"problem,omitempty"`
}

// health returns the /healthz body and whether the process is healthy: it
// is, unless the bot reports that it can no longer make progress by
// itself (stuck connecting, or no gateway session for too long), when an
// orchestrator should restart it.
func (r *readiness) health() (healthStatus, bool) {
	h := healthStatus{Service: opsService, Status: "ok", Version: version}
	if c := r.discord.Load(); c != nil && !r.stopping.Load() {
		if gs := (*c).Status(); !gs.Healthy {
			h.Status, h.Problem = "unhealthy", gs.Problem
			return h, false
		}
	}
	return h, true
}

// opsHandler serves /healthz (200 while the process can make progress,
// else 503), /readyz (200 when ready, else 503; JSON with the state of
// each check) and /metrics (Prometheus text format from m's registry).
func opsHandler(r *readiness, m *metrics, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		h, ok := r.health()
		code := http.StatusOK
		if !ok {
			code = http.StatusServiceUnavailable
		}
		writeOpsJSON(w, code, h)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		st := r.status()
		code := http.StatusOK
		if !st.Ready {
			code = http.StatusServiceUnavailable
		}
		writeOpsJSON(w, code, st)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:            slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		Registry:            m.reg, // promhttp's own request counters
		MaxRequestsInFlight: 4,
		Timeout:             10 * time.Second,
	}))
	return mux
}

func writeOpsJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// opsServer is the running operations listener.
type opsServer struct {
	srv  *http.Server
	addr string // the bound address, e.g. 127.0.0.1:8080
	done chan error
	log  *slog.Logger
}

// startOps listens on addr and serves h until stop. Listening errors (the
// port is taken, the address is not local) are returned at once.
func startOps(addr string, h http.Handler, log *slog.Logger) (*opsServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("http.addr: listen on %s: %w", addr, err)
	}
	o := &opsServer{
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       10 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       60 * time.Second,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
		},
		addr: ln.Addr().String(),
		done: make(chan error, 1),
		log:  log,
	}
	go func() { o.done <- o.srv.Serve(ln) }()
	log.Info("operations endpoints listening", "addr", o.addr, "paths", "/healthz /readyz /metrics")
	return o, nil
}

// stop closes the listener after the requests in flight (at most 5s).
func (o *opsServer) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := o.srv.Shutdown(ctx); err != nil {
		o.log.Warn("closing the operations listener", "error", err.Error())
	}
	if err := <-o.done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		o.log.Warn("operations listener failed", "error", err.Error())
	}
}
