// Package openaitest is an OpenAI-compatible HTTP server for tests: the
// endpoints citebot uses (/v1/embeddings and /v1/chat/completions, with and
// without streaming), deterministic embeddings, scripted replies and
// failures (429 with Retry-After, 5xx, an HTML 502 from a proxy, slow
// replies, streams that break off), and a record of every request.
//
// It speaks the wire protocol from its own JSON types, not a client
// library's, so a test against it exercises the real client code:
//
//	srv := openaitest.New(t)
//	srv.Chat(openaitest.RateLimited("2"), openaitest.Reply{Text: "They spoke in April [1]."})
//	// point the client at srv.URL (".../v1")
//	reqs := srv.ChatRequests()
//
// Chat replies are taken from a queue filled by [Server.Chat]; when it is
// empty, [Server.ChatFunc] decides, and without one the reply is
// [DefaultChatText]. Embedding requests take scripted failures from
// [Server.Embed] first and otherwise succeed.
package openaitest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
)

// DefaultChatText is the chat reply when nothing else is scripted.
const DefaultChatText = "The passages answer this [1]."

// DefaultDim is the length of embeddings of models without [Server.SetDim].
const DefaultDim = 16

// Reply scripts one response. The zero value is a successful reply with
// DefaultChatText (chat) or the embeddings (embeddings).
type Reply struct {
	// Status is the HTTP status; 0 means 200.
	Status int
	// RetryAfter, if set, is sent as the Retry-After header ("2" or an HTTP date).
	RetryAfter string
	// Body replaces the response body of a failure (Status >= 400); by
	// default an OpenAI-style JSON error is sent.
	Body string
	// ContentType of Body. Default application/json.
	ContentType string

	// Text is the assistant's reply (chat). Empty: DefaultChatText.
	Text string
	// Chunks are the streamed content fragments; default: Text split after
	// every space.
	Chunks []string
	// FinishReason ends the reply; default "stop". "none" sends no finish
	// reason (a server that stops without saying why).
	FinishReason string
	// KeepAlive is the number of empty keep-alive lines sent before every
	// streamed chunk.
	KeepAlive int
	// BreakAfter, when > 0, aborts a stream after that many chunks: the
	// connection is cut without [DONE].
	BreakAfter int
	// StallAfter, when > 0, stops a stream after that many chunks and holds
	// the connection open, sending nothing, until the client gives up.
	StallAfter int
	// StreamError, when set, is sent as an SSE error event after the chunks,
	// instead of the end of the stream.
	StreamError string

	// Delay waits before answering; the wait ends early when the client
	// gives up (the request's context is cancelled).
	Delay time.Duration
}

// RateLimited is a 429 reply with the given Retry-After header (may be "").
func RateLimited(retryAfter string) Reply {
	return Reply{Status: http.StatusTooManyRequests, RetryAfter: retryAfter}
}

// ServerError is a reply with the given status and an OpenAI-style JSON error.
func ServerError(status int) Reply { return Reply{Status: status} }

// BadGatewayHTML is the 502 a reverse proxy sends when the model server is
// down: an HTML page, not JSON.
func BadGatewayHTML() Reply {
	return Reply{
		Status:      http.StatusBadGateway,
		ContentType: "text/html",
		Body:        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
	}
}

// Slow is a successful reply with text after a delay.
func Slow(d time.Duration, text string) Reply { return Reply{Delay: d, Text: text} }

// Message is one chat message of a request.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// ChatRequest is a decoded /v1/chat/completions request.
type ChatRequest struct {
	Model    string    `json:"model"`
	Messages []Message `json:"messages"`
	Stream   bool      `json:"stream"`
}

// EmbeddingRequest is a decoded /v1/embeddings request.
type EmbeddingRequest struct {
	Model string `json:"model"`
	// Input holds the texts; a request with one string as input has one.
	Input Input `json:"input"`
}

// Input is the input of an embedding request: a string or a list of them.
type Input []string

// UnmarshalJSON accepts "text" and ["text", …].
func (in *Input) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*in = Input{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("input is neither a string nor a list of strings: %w", err)
	}
	*in = many
	return nil
}

// Request is one recorded request.
type Request struct {
	// Path is the URL path, e.g. "/v1/embeddings".
	Path string
	// Authorization is the Authorization header as sent.
	Authorization string
	// Chat is set for chat requests, Embedding for embedding requests.
	Chat      *ChatRequest
	Embedding *EmbeddingRequest
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the API root to configure clients with: the server's address
	// followed by "/v1".
	URL string

	t   testing.TB
	srv *httptest.Server

	mu        sync.Mutex
	chatQ     []Reply
	embedQ    []Reply
	chatFunc  func(ChatRequest) Reply
	dims      map[string]int
	requests  []Request
	inFlight  int
	maxFlight int
}

// New starts a server that is closed when the test ends. Handler problems
// (a request that does not decode) are reported with t.Errorf.
func New(t testing.TB) *Server {
	s := &Server{t: t, dims: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/embeddings", s.embeddings)
	mux.HandleFunc("POST /v1/chat/completions", s.chat)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("openaitest: unexpected request %s %s", r.Method, r.URL.Path)
		writeError(w, http.StatusNotFound, "not found")
	})
	s.srv = httptest.NewServer(s.track(mux))
	s.URL = s.srv.URL + "/v1"
	t.Cleanup(s.Close)
	return s
}

// Close stops the server; further requests fail to connect. It is called
// automatically when the test ends.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Chat queues replies for the next chat requests, in order.
func (s *Server) Chat(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatQ = append(s.chatQ, replies...)
}

// ChatFunc sets the function that replies to chat requests when the queue
// is empty.
func (s *Server) ChatFunc(f func(ChatRequest) Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatFunc = f
}

// Embed queues replies for the next embedding requests; a queued reply
// with Status 0 or 200 lets the request succeed.
func (s *Server) Embed(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.embedQ = append(s.embedQ, replies...)
}

// SetDim sets the embedding length of a model (default [DefaultDim]).
func (s *Server) SetDim(model string, dim int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dims[model] = dim
}

// Requests returns every request so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ChatRequests returns the chat requests so far.
func (s *Server) ChatRequests() []ChatRequest {
	var out []ChatRequest
	for _, r := range s.Requests() {
		if r.Chat != nil {
			out = append(out, *r.Chat)
		}
	}
	return out
}

// EmbeddingRequests returns the embedding requests so far.
func (s *Server) EmbeddingRequests() []EmbeddingRequest {
	var out []EmbeddingRequest
	for _, r := range s.Requests() {
		if r.Embedding != nil {
			out = append(out, *r.Embedding)
		}
	}
	return out
}

// BatchSizes returns the number of texts in each embedding request so far.
func (s *Server) BatchSizes() []int {
	var out []int
	for _, r := range s.EmbeddingRequests() {
		out = append(out, len(r.Input))
	}
	return out
}

// MaxInFlight returns the largest number of requests the server handled
// at the same time.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxFlight
}

// Vector returns the embedding the server computes for text with model:
// hashed lower-case words (so texts sharing words are similar), not
// normalised, never zero.
func (s *Server) Vector(model, text string) []float32 {
	s.mu.Lock()
	dim := s.dims[model]
	s.mu.Unlock()
	if dim <= 0 {
		dim = DefaultDim
	}
	v := make([]float32, dim)
	v[0] = 0.5 // never a zero vector
	h := fnv.New32a()
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		h.Reset()
		h.Write([]byte(model + "\x00" + w))
		x := h.Sum32()
		v[int(x%uint32(dim))] += float32(1 + x>>28)
	}
	return v
}

// track counts requests in flight: from arrival until the last byte of the
// response is about to be written (after that the client may finish and
// send the next request while the handler is still returning).
func (s *Server) track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.inFlight++
		s.maxFlight = max(s.maxFlight, s.inFlight)
		s.mu.Unlock()
		var once sync.Once
		done := func() {
			once.Do(func() {
				s.mu.Lock()
				s.inFlight--
				s.mu.Unlock()
			})
		}
		defer done()
		next.ServeHTTP(&lastWriter{ResponseWriter: w, done: done}, r)
	})
}

// lastWriter lets handlers mark the start of their final write.
type lastWriter struct {
	http.ResponseWriter
	done func()
}

func (w *lastWriter) Flush() { w.ResponseWriter.(http.Flusher).Flush() }

// finishing marks that w's response is about to be completed.
func finishing(w http.ResponseWriter) {
	if lw, ok := w.(*lastWriter); ok {
		lw.done()
	}
}

func (s *Server) record(r *http.Request, req Request) {
	req.Path = r.URL.Path
	req.Authorization = r.Header.Get("Authorization")
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.mu.Unlock()
}

func (s *Server) embeddings(w http.ResponseWriter, r *http.Request) {
	var req EmbeddingRequest
	if err := decode(r, &req); err != nil {
		s.t.Errorf("openaitest: embeddings request: %v", err)
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.record(r, Request{Embedding: &req})
	s.mu.Lock()
	var rep Reply
	if len(s.embedQ) > 0 {
		rep, s.embedQ = s.embedQ[0], s.embedQ[1:]
	}
	s.mu.Unlock()
	if !wait(r, rep.Delay) || failed(w, rep) {
		return
	}
	if req.Model == "" || len(req.Input) == 0 {
		writeError(w, http.StatusBadRequest, "model and input are required")
		return
	}
	type item struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	data := make([]item, len(req.Input))
	// Answer in reverse order, as servers may: clients must use "index".
	for i := range req.Input {
		j := len(req.Input) - 1 - i
		data[i] = item{Object: "embedding", Index: j, Embedding: s.Vector(req.Model, req.Input[j])}
	}
	writeJSON(w, map[string]any{"object": "list", "model": req.Model, "data": data,
		"usage": map[string]int{"prompt_tokens": len(req.Input), "total_tokens": len(req.Input)}})
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	var req ChatRequest
	if err := decode(r, &req); err != nil {
		s.t.Errorf("openaitest: chat request: %v", err)
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.record(r, Request{Chat: &req})
	var (
		rep    Reply
		queued bool
	)
	s.mu.Lock()
	if len(s.chatQ) > 0 {
		rep, s.chatQ, queued = s.chatQ[0], s.chatQ[1:], true
	}
	f := s.chatFunc
	s.mu.Unlock()
	if !queued && f != nil {
		rep = f(req)
	}
	if !wait(r, rep.Delay) || failed(w, rep) {
		return
	}
	if rep.Text == "" && len(rep.Chunks) == 0 {
		rep.Text = DefaultChatText
	}
	finish := rep.FinishReason
	if finish == "" {
		finish = "stop"
	}
	if !req.Stream {
		text := rep.Text
		if text == "" {
			text = strings.Join(rep.Chunks, "")
		}
		var fr any = finish
		if finish == "none" {
			fr = nil
		}
		writeJSON(w, map[string]any{
			"id": "chatcmpl-test", "object": "chat.completion", "created": 1700000000, "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "message": Message{Role: "assistant", Content: text}, "finish_reason": fr}},
			"usage":   map[string]int{"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
		})
		return
	}
	s.stream(w, r, req, rep, finish)
}

// stream writes a reply as server-sent events, the way OpenAI does.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, req ChatRequest, rep Reply, finish string) {
	chunks := rep.Chunks
	if len(chunks) == 0 {
		chunks = strings.SplitAfter(rep.Text, " ")
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		s.t.Errorf("openaitest: response writer cannot flush")
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	event := func(delta map[string]any, fr any) {
		b, _ := json.Marshal(map[string]any{
			"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 1700000000, "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": fr}},
		})
		fmt.Fprintf(w, "data: %s\n\n", b)
		fl.Flush()
	}
	event(map[string]any{"role": "assistant", "content": ""}, nil)
	for i, c := range chunks {
		if rep.BreakAfter > 0 && i == rep.BreakAfter {
			panic(http.ErrAbortHandler) // cut the connection mid-stream
		}
		if rep.StallAfter > 0 && i == rep.StallAfter {
			<-r.Context().Done()
			return
		}
		for range rep.KeepAlive {
			io.WriteString(w, "\n")
			fl.Flush()
		}
		if r.Context().Err() != nil {
			return
		}
		event(map[string]any{"content": c}, nil)
	}
	if rep.StreamError != "" {
		finishing(w)
		b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": rep.StreamError, "type": "server_error", "code": nil}})
		fmt.Fprintf(w, "data: %s\n\n", b)
		fl.Flush()
		return
	}
	if finish != "none" {
		event(map[string]any{}, finish)
	}
	finishing(w)
	io.WriteString(w, "data: [DONE]\n\n")
	fl.Flush()
}

// wait sleeps for d or until the client gives up; it reports whether to go on.
func wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// failed writes a scripted failure and reports whether it did.
func failed(w http.ResponseWriter, rep Reply) bool {
	if rep.Status == 0 || rep.Status == http.StatusOK {
		return false
	}
	if rep.RetryAfter != "" {
		w.Header().Set("Retry-After", rep.RetryAfter)
	}
	if rep.Body != "" {
		ct := rep.ContentType
		if ct == "" {
			ct = "application/json"
		}
		w.Header().Set("Content-Type", ct)
		finishing(w)
		w.WriteHeader(rep.Status)
		io.WriteString(w, rep.Body)
		return true
	}
	writeError(w, rep.Status, fmt.Sprintf("scripted failure: %s", http.StatusText(rep.Status)))
	return true
}

func writeError(w http.ResponseWriter, status int, msg string) {
	finishing(w)
	typ := "invalid_request_error"
	switch {
	case status == http.StatusTooManyRequests:
		typ = "rate_limit_exceeded"
	case status >= 500:
		typ = "server_error"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": nil}})
}

func writeJSON(w http.ResponseWriter, v any) {
	finishing(w)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func decode(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w", b, err)
	}
	return nil
}
