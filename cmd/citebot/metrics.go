package main

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"citebot/bot"
	"citebot/rag"
	"citebot/rag/openai"
)

// metrics are the Prometheus metrics of `citebot serve`, kept in a private
// registry (never the global default) and served at /metrics. They are
// recorded by wrappers around what serve hands the bot and the answerer,
// so that rag and bot know nothing of Prometheus.
type metrics struct {
	reg *prometheus.Registry

	questions *prometheus.CounterVec   // mode, outcome
	errors    *prometheus.CounterVec   // kind
	answer    *prometheus.HistogramVec // mode
	retrieval prometheus.Histogram
	model     *prometheus.HistogramVec // op, outcome
	articles  prometheus.Gauge
	chunks    prometheus.Gauge
	reloads   *prometheus.CounterVec // trigger, result
	logs      *prometheus.CounterVec // level

	trace *rag.SearchTrace
}

// Outcomes of a question.
const (
	outcomeAnswered = "answered"
	outcomeNotFound = "not_found"
	outcomeError    = "error"
)

// Error kinds counted in citebot_errors_total.
var errorKinds = []string{
	"answer_timeout", "answer_cancelled", "invalid_question", "answer_failed",
	"model_timeout", "model_rate_limited", "model_server_error", "model_rejected",
	"model_unreachable", "model_interrupted", "model_bad_response",
	"index_reload",
}

// newMetrics registers citebot's metrics and the Go and process collectors
// on a new registry. ready reports readiness for citebot_ready.
func newMetrics(ready func() bool) *metrics {
	reg := prometheus.NewRegistry()
	auto := promauto.With(reg) // creates and registers in one call
	m := &metrics{reg: reg}
	counters := func(name, help string, labels ...string) *prometheus.CounterVec {
		return auto.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	}
	m.questions = counters("citebot_questions_total", "Questions answered, by answer mode (extractive, llm) and outcome (answered, not_found, error).", "mode", "outcome")
	m.errors = counters("citebot_errors_total", "Errors by kind: answers that failed (answer_*, invalid_question), model requests that failed after retries (model_*), failed corpus reloads (index_reload).", "kind")
	m.answer = auto.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "citebot_answer_duration_seconds",
		Help:    "Time to answer a question (retrieval and model, not Discord delivery), by answer mode.",
		Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 60, 120},
	}, []string{"mode"})
	m.retrieval = auto.NewHistogram(prometheus.HistogramOpts{
		Name:    "citebot_retrieval_duration_seconds",
		Help:    "Time of one retrieval (query embedding, keyword and vector search, re-ranking), for answers and /search.",
		Buckets: []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5},
	})
	m.model = auto.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "citebot_model_request_duration_seconds",
		Help:    "Time of one call to the model server, retries and streaming included, by operation (chat, embed_query, embed_documents) and outcome (ok, error, cancelled).",
		Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 60, 120, 300},
	}, []string{"op", "outcome"})
	m.articles = auto.NewGauge(prometheus.GaugeOpts{
		Name: "citebot_index_articles", Help: "Articles in the index being served.",
	})
	m.chunks = auto.NewGauge(prometheus.GaugeOpts{
		Name: "citebot_index_chunks", Help: "Passages (chunks) in the index being served.",
	})
	m.reloads = counters("citebot_index_reloads_total", "Corpus reloads while serving, by trigger (index_file, signal) and result (ok, error, skipped).", "trigger", "result")
	m.logs = counters("citebot_log_messages_total", "Log messages at warn and error level (e.g. Discord requests that failed) that log.level lets through, by level.", "level")
	auto.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "citebot_ready", Help: "1 when /readyz reports ready (index loaded, Discord connected, not shutting down), else 0.",
	}, func() float64 {
		if ready != nil && ready() {
			return 1
		}
		return 0
	})
	auto.NewGauge(prometheus.GaugeOpts{
		Name: "citebot_build_info", Help: "Always 1; the labels name the running build.",
		ConstLabels: prometheus.Labels{"version": version, "go_version": runtime.Version()},
	}).Set(1)
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	// Series that exist from the start, so that rates and alerts work
	// before the first event.
	for _, mode := range []string{rag.ModeExtractive, rag.ModeLLM} {
		m.answer.WithLabelValues(mode)
		for _, o := range []string{outcomeAnswered, outcomeNotFound, outcomeError} {
			m.questions.WithLabelValues(mode, o)
		}
	}
	for _, k := range errorKinds {
		m.errors.WithLabelValues(k)
	}
	for _, l := range []string{"warn", "error"} {
		m.logs.WithLabelValues(l)
	}
	m.trace = &rag.SearchTrace{Done: func(took time.Duration, _ int, _ error) {
		m.retrieval.Observe(took.Seconds())
	}}
	return m
}

// watchDiscord registers the metrics read from the bot's counters: its
// gateway (sessions, resumes, IDENTIFYs, lost connections), its REST
// requests that Discord refused or rate-limited (Discord bans an IP
// address after 10,000 answers of 401, 403 or 429 in 10 minutes) and its
// health.
func (m *metrics) watchDiscord(status func() bot.Status) {
	auto := promauto.With(m.reg)
	count := func(name, help string, labels prometheus.Labels, get func(bot.Status) int) {
		auto.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: labels}, func() float64 { return float64(get(status())) })
	}
	const gwHelp = "Gateway events since start: sessions established (connected), of which resumed (resumed), IDENTIFYs sent (identify: each counts against Discord's daily session start limit), live connections lost (lost)."
	count("citebot_discord_gateway_events_total", gwHelp, prometheus.Labels{"event": "connected"}, func(s bot.Status) int { return s.Gateway.Connects })
	count("citebot_discord_gateway_events_total", gwHelp, prometheus.Labels{"event": "resumed"}, func(s bot.Status) int { return s.Gateway.Resumes })
	count("citebot_discord_gateway_events_total", gwHelp, prometheus.Labels{"event": "identify"}, func(s bot.Status) int { return s.Gateway.Identifies })
	count("citebot_discord_gateway_events_total", gwHelp, prometheus.Labels{"event": "lost"}, func(s bot.Status) int { return s.Gateway.Lost })
	const refusedHelp = "Discord REST answers 401, 403 and 429, by status (Discord bans an IP address after 10,000 in 10 minutes)."
	count("citebot_discord_refused_requests_total", refusedHelp, prometheus.Labels{"status": "401"}, func(s bot.Status) int { return s.REST.Unauthorized })
	count("citebot_discord_refused_requests_total", refusedHelp, prometheus.Labels{"status": "403"}, func(s bot.Status) int { return s.REST.Forbidden })
	count("citebot_discord_refused_requests_total", refusedHelp, prometheus.Labels{"status": "429"}, func(s bot.Status) int { return s.REST.TooManyRequests })
	count("citebot_discord_global_rate_limits_total", "Global 429s from Discord; each paused every request of the bot for its retry_after.", nil, func(s bot.Status) int { return s.REST.GlobalPauses })
	count("citebot_discord_requests_withheld_total", "Requests the bot did not send because too many were refused in the last 10 minutes.", nil, func(s bot.Status) int { return s.REST.Refused })
	auto.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "citebot_discord_invalid_requests_10m", Help: "Discord REST answers counted towards Discord's ban (401, 403, 429 other than shared) in the last 10 minutes; the bot stops sending at 1,000.",
	}, func() float64 { return float64(status().REST.InvalidLast10m) })
	auto.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "citebot_healthy", Help: "1 when /healthz reports healthy, else 0 (the bot cannot make progress by itself: stuck connecting, or no gateway session for long).",
	}, func() float64 {
		if status().Healthy {
			return 1
		}
		return 0
	})
}

// setIndexSize records the size of the index being served.
func (m *metrics) setIndexSize(articles, chunks int) {
	m.articles.Set(float64(articles))
	m.chunks.Set(float64(chunks))
}

// measuredAnswerer counts and times the questions an answerer answers, and
// times the retrieval inside it through a [rag.SearchTrace].
type measuredAnswerer struct {
	next answerer
	m    *metrics
	mode string // the configured mode, for errors
}

var _ answerer = measuredAnswerer{}

func (a measuredAnswerer) Answer(ctx context.Context, q rag.Query) (rag.Answer, error) {
	start := time.Now()
	ans, err := a.next.Answer(rag.WithSearchTrace(ctx, a.m.trace), q)
	took := time.Since(start)
	mode := ans.Mode
	if err != nil || mode == "" {
		mode = a.mode
	}
	outcome := outcomeAnswered
	switch {
	case err != nil:
		outcome = outcomeError
		a.m.errors.WithLabelValues(answerErrorKind(ctx, err)).Inc()
	case ans.NotFound:
		outcome = outcomeNotFound
	}
	a.m.questions.WithLabelValues(mode, outcome).Inc()
	a.m.answer.WithLabelValues(mode).Observe(took.Seconds())
	return ans, err
}

// answerErrorKind classifies an answering error.
func answerErrorKind(ctx context.Context, err error) string {
	switch {
	case errors.Is(err, rag.ErrEmptyQuestion), errors.Is(err, rag.ErrQuestionTooLong):
		return "invalid_question"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "answer_timeout"
	case errors.Is(err, context.Canceled), ctx.Err() != nil:
		return "answer_cancelled"
	}
	return "answer_failed"
}

// measuredSearcher times /search retrievals.
type measuredSearcher struct {
	ix *rag.Index
	m  *metrics
}

func (s measuredSearcher) Search(ctx context.Context, query string, opts rag.SearchOptions) ([]rag.Passage, error) {
	return s.ix.Search(rag.WithSearchTrace(ctx, s.m.trace), query, opts)
}

// observeModel records one model call that started at start.
func (m *metrics) observeModel(ctx context.Context, op string, start time.Time, err error) {
	outcome := "ok"
	switch {
	case err == nil:
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		outcome = "cancelled" // the asker's deadline or shutdown, counted with the answer
	default:
		outcome = "error"
		m.errors.WithLabelValues(modelErrorKind(err)).Inc()
	}
	m.model.WithLabelValues(op, outcome).Observe(time.Since(start).Seconds())
}

// modelErrorKind classifies a failed model request by its [rag.ModelError].
func modelErrorKind(err error) string {
	var me *rag.ModelError
	if !errors.As(err, &me) {
		if errors.Is(err, context.DeadlineExceeded) {
			return "model_timeout"
		}
		return "model_bad_response"
	}
	switch {
	case me.Reason == "timeout":
		return "model_timeout"
	case me.StatusCode == 429:
		return "model_rate_limited"
	case me.StatusCode >= 500:
		return "model_server_error"
	case me.StatusCode >= 400:
		return "model_rejected"
	case me.Reason == "unreachable":
		return "model_unreachable"
	case me.Reason == "interrupted":
		return "model_interrupted"
	}
	return "model_bad_response"
}

// measuredChat times the calls of a chat model.
type measuredChat struct {
	rag.ChatModel
	m *metrics
}

func (c measuredChat) Complete(ctx context.Context, p rag.Prompt, onDelta func(string)) (rag.Completion, error) {
	start := time.Now()
	comp, err := c.ChatModel.Complete(ctx, p, onDelta)
	c.m.observeModel(ctx, "chat", start, err)
	return comp, err
}

// wrapChat is the chat-model wrapper serve passes to newAnswererWith.
func (m *metrics) wrapChat(c rag.ChatModel) rag.ChatModel { return measuredChat{ChatModel: c, m: m} }

// measuredEmbedder times the calls of a model server's embedder. It keeps
// Client (promoted), so that the answerer still shares the embedder's
// client and its concurrency limit.
type measuredEmbedder struct {
	*openai.Embedder
	m *metrics
}

func (e measuredEmbedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	start := time.Now()
	v, err := e.Embedder.EmbedQuery(ctx, text)
	e.m.observeModel(ctx, "embed_query", start, err)
	return v, err
}

func (e measuredEmbedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	start := time.Now()
	v, err := e.Embedder.EmbedDocuments(ctx, texts)
	e.m.observeModel(ctx, "embed_documents", start, err)
	return v, err
}

// wrapEmbedder measures emb when it calls a model server; the local
// embedder is left alone (it is pure computation, and the index tunes
// itself by its type).
func (m *metrics) wrapEmbedder(emb rag.Embedder) rag.Embedder {
	if oe, ok := emb.(*openai.Embedder); ok {
		return measuredEmbedder{Embedder: oe, m: m}
	}
	return emb
}

// countingHandler counts warn and error log records in
// citebot_log_messages_total, then passes every record on.
type countingHandler struct {
	slog.Handler
	m *metrics
}

func (h countingHandler) Handle(ctx context.Context, r slog.Record) error {
	switch {
	case r.Level >= slog.LevelError:
		h.m.logs.WithLabelValues("error").Inc()
	case r.Level >= slog.LevelWarn:
		h.m.logs.WithLabelValues("warn").Inc()
	}
	return h.Handler.Handle(ctx, r)
}

func (h countingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return countingHandler{Handler: h.Handler.WithAttrs(as), m: h.m}
}

func (h countingHandler) WithGroup(name string) slog.Handler {
	return countingHandler{Handler: h.Handler.WithGroup(name), m: h.m}
}

// logger returns log with its warnings and errors counted.
func (m *metrics) logger(log *slog.Logger) *slog.Logger {
	return slog.New(countingHandler{Handler: log.Handler(), m: m})
}
