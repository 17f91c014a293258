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
)

// connection reports whether the bot has a live gateway session (READY or
// RESUMED received); *bot.Bot implements it.
type connection interface {
	Connected() bool
}

// readiness is what /readyz reports: ready once the index is loaded and
// Discord is connected, not ready again while the bot reconnects or shuts
// down. It is safe for concurrent use.
type readiness struct {
	indexLoaded atomic.Bool
	stopping    atomic.Bool
	discord     atomic.Pointer[connection]
}

// setDiscord makes c the source of the Discord check.
func (r *readiness) setDiscord(c connection) { r.discord.Store(&c) }

// Check results in the /readyz body.
const (
	checkOK           = "ok"
	checkLoading      = "loading"
	checkNotConnected = "not connected"
	checkShutdown     = "shutting down"
)

// readyStatus is the JSON body of /readyz.
type readyStatus struct {
	Ready  bool              `json:"ready"`
	Checks map[string]string `json:"checks"`
}

// status returns the checks and whether all pass.
func (r *readiness) status() readyStatus {
	st := readyStatus{Checks: map[string]string{"index": checkOK, "discord": checkOK}}
	if !r.indexLoaded.Load() {
		st.Checks["index"] = checkLoading
	}
	if c := r.discord.Load(); c == nil || !(*c).Connected() {
		st.Checks["discord"] = checkNotConnected
	}
	if r.stopping.Load() {
		st.Checks["discord"] = checkShutdown
	}
	st.Ready = st.Checks["index"] == checkOK && st.Checks["discord"] == checkOK
	return st
}

// ready reports whether /readyz answers 200.
func (r *readiness) ready() bool { return r.status().Ready }

// opsHandler serves /healthz (200 while the process runs), /readyz (200
// when ready, else 503; JSON with the state of each check) and /metrics
// (Prometheus text format from m's registry).
func opsHandler(r *readiness, m *metrics, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeOpsJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": version})
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
