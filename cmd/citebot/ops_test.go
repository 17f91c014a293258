package main

// Tests of the self-hosting features of `citebot serve`: the operations
// listener (/healthz, /readyz, /metrics), `citebot healthcheck`, live
// corpus reloads and what reaches the logs. They run the real serve wiring
// against bot/discordtest (and rag/openaitest for the model-backed path).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"citebot/bot"
	"citebot/bot/discordtest"
	"citebot/rag/openaitest"
)

// fakeConn is a Discord connection whose state the test sets.
type fakeConn struct{ st atomic.Pointer[bot.Status] }

func (c *fakeConn) Status() bot.Status { return *c.st.Load() }

func (c *fakeConn) set(ready bool, state string, problem string) {
	c.st.Store(&bot.Status{Ready: ready, State: state, Healthy: problem == "", Problem: problem})
}

func TestReadinessTransitions(t *testing.T) {
	r := &readiness{}
	m := newMetrics(r.ready)
	srv := httptest.NewServer(opsHandler(r, m, slog.New(slog.DiscardHandler)))
	defer srv.Close()
	conn := &fakeConn{}
	conn.set(false, "connecting", "")

	steps := []struct {
		name    string
		do      func()
		code    int
		index   string
		discord string
		healthy bool
	}{
		{"starting: index loading, no bot yet", func() {}, 503, "loading", "not connected", true},
		{"index loaded, connecting", func() { r.indexLoaded.Store(true); r.setDiscord(conn) }, 503, "ok", "connecting", true},
		{"READY received", func() { conn.set(true, "ok", "") }, 200, "ok", "ok", true},
		{"connection lost, reconnecting", func() { conn.set(false, "reconnecting", "") }, 503, "ok", "reconnecting", true},
		{"stuck reconnecting", func() { conn.set(false, "reconnecting", "no gateway session for 10m0s") }, 503, "ok", "reconnecting", false},
		{"resumed", func() { conn.set(true, "ok", "") }, 200, "ok", "ok", true},
		{"waiting for Discord's limit", func() { conn.set(false, "waiting: session start limit", "") }, 503, "ok", "waiting: session start limit", true},
		{"shutting down", func() { conn.set(true, "ok", ""); r.stopping.Store(true) }, 503, "ok", "shutting down", true},
	}
	for _, st := range steps {
		st.do()
		resp, body := get(t, srv.URL+"/readyz")
		var got readyStatus
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("%s: /readyz body %q: %v", st.name, body, err)
		}
		if resp.StatusCode != st.code || got.Checks["index"] != st.index || got.Checks["discord"] != st.discord || got.Ready != (st.code == 200) {
			t.Errorf("%s: got %d %s, want %d index=%s discord=%s", st.name, resp.StatusCode, body, st.code, st.index, st.discord)
		}
		resp, body = get(t, srv.URL+"/healthz")
		if want := map[bool]int{true: 200, false: 503}[st.healthy]; resp.StatusCode != want {
			t.Errorf("%s: /healthz %d %s, want %d", st.name, resp.StatusCode, body, want)
		}
		if !st.healthy && !strings.Contains(string(body), `"problem":"no gateway session for 10m0s"`) {
			t.Errorf("%s: /healthz %s does not say why", st.name, body)
		}
		ready := metricValue(t, scrape(t, srv.URL), "citebot_ready")
		if want := map[bool]float64{true: 1, false: 0}[st.code == 200]; ready != want {
			t.Errorf("%s: citebot_ready %v, want %v", st.name, ready, want)
		}
	}
	if resp, _ := get(t, srv.URL+"/"); resp.StatusCode != 404 {
		t.Errorf("/ answered %d, want 404", resp.StatusCode)
	}
}

func TestHealthcheck(t *testing.T) {
	var code atomic.Int32
	code.Store(200)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" && r.URL.Path != "/readyz" {
			t.Errorf("healthcheck asked for %s", r.URL.Path)
		}
		w.WriteHeader(int(code.Load()))
		fmt.Fprintf(w, `{"service":"citebot","status":"ok","ready":true,"path":%q}`, r.URL.Path)
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	_, port, _ := strings.Cut(addr, ":")

	check := func(env map[string]string, args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"healthcheck"}, args...), func(k string) string { return env[k] }, strings.NewReader(""), &out, io.Discard)
		return out.String(), err
	}
	t.Run("healthy, wildcard host from the environment", func(t *testing.T) {
		out, err := check(map[string]string{"CITEBOT_HTTP_ADDR": ":" + port})
		if err != nil || !strings.Contains(out, "healthy: http://127.0.0.1:"+port+"/healthz 200 OK") {
			t.Errorf("got %q, %v; want healthy", out, err)
		}
	})
	t.Run("--ready asks /readyz", func(t *testing.T) {
		out, err := check(nil, "--http", addr, "--ready")
		if err != nil || !strings.Contains(out, `"/readyz"`) {
			t.Errorf("got %q, %v", out, err)
		}
	})
	t.Run("503 is unhealthy", func(t *testing.T) {
		code.Store(503)
		defer code.Store(200)
		_, err := check(nil, "--http", addr, "--ready")
		if err == nil || !strings.Contains(err.Error(), "unhealthy") || exitCode(err, io.Discard) != 1 {
			t.Errorf("got %v, want an unhealthy error with exit status 1", err)
		}
	})
	t.Run("nothing listening", func(t *testing.T) {
		ln := httptest.NewServer(http.NotFoundHandler())
		dead := strings.TrimPrefix(ln.URL, "http://")
		ln.Close()
		if _, err := check(nil, "--http", dead); err == nil || exitCode(err, io.Discard) != 1 {
			t.Errorf("got %v, want exit status 1", err)
		}
	})
	t.Run("no http.addr", func(t *testing.T) {
		if _, err := check(nil); err == nil || !strings.Contains(err.Error(), "CITEBOT_HTTP_ADDR") {
			t.Errorf("got %v, want an error naming CITEBOT_HTTP_ADDR", err)
		}
	})
	t.Run("unrelated invalid settings do not matter", func(t *testing.T) {
		if _, err := check(map[string]string{"CITEBOT_TOP_K": "500", "CITEBOT_HTTP_ADDR": addr}); err != nil {
			t.Errorf("got %v, want healthy", err)
		}
	})
}

// TestHealthcheckWantsCitebotsAnswer (issue 13, item 7): a 200 from
// another server on the address (a port clash, a proxy's error page, a
// different service) is unhealthy; healthcheck used to accept any 200.
func TestHealthcheckWantsCitebotsAnswer(t *testing.T) {
	for _, tc := range []struct {
		name, path, body string
	}{
		{"another service's health JSON", "/healthz", `{"status":"ok"}`},
		{"an HTML page", "/healthz", "<html><body>It works!</body></html>"},
		{"an empty body", "/healthz", ""},
		{"citebot not ready", "/readyz", `{"service":"citebot","ready":false,"checks":{"discord":"reconnecting"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusOK)
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()
			args := []string{"healthcheck", "--http", strings.TrimPrefix(srv.URL, "http://")}
			if tc.path == "/readyz" {
				args = append(args, "--ready")
			}
			var out bytes.Buffer
			err := run(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), &out, io.Discard)
			if err == nil || exitCode(err, io.Discard) != 1 || !strings.Contains(err.Error(), "unhealthy") {
				t.Errorf("a 200 with %q: got %v (stdout %q), want unhealthy with exit status 1", tc.body, err, out.String())
			}
		})
	}
}

func TestLocalURL(t *testing.T) {
	for addr, want := range map[string]string{
		":8080":          "http://127.0.0.1:8080",
		"0.0.0.0:9090":   "http://127.0.0.1:9090",
		"[::]:8080":      "http://[::1]:8080",
		"127.0.0.1:8080": "http://127.0.0.1:8080",
		"citebot:8080":   "http://citebot:8080",
	} {
		if got, err := localURL(addr); err != nil || got != want {
			t.Errorf("localURL(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
}

// opsAddr waits for the operations listener's start-up log line and
// returns its address.
func opsAddr(t *testing.T, logs *discordtest.Log) string {
	t.Helper()
	re := regexp.MustCompile(`"?addr"?[=:]"?([0-9.]+:[0-9]+)`)
	ctx := waitCtx(t)
	for {
		if m := re.FindStringSubmatch(lastLine(logs.String(), "operations endpoints listening")); m != nil {
			return m[1]
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no operations listener in the logs:\n%s", logs)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// waitLog waits until the logs contain s.
func waitLog(t *testing.T, logs *discordtest.Log, s string) {
	t.Helper()
	if !logs.WaitFor(waitCtx(t), s) {
		t.Fatalf("the logs never said %q:\n%s", s, logs)
	}
}

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func scrape(t *testing.T, base string) string {
	t.Helper()
	resp, body := get(t, base+"/metrics")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics answered %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return string(body)
}

// metricValue returns the value of one series ("name" or
// `name{label="v",…}` with labels sorted by name) in a scrape.
func metricValue(t *testing.T, body, series string) float64 {
	t.Helper()
	v, ok := findMetric(t, body, series)
	if !ok {
		t.Fatalf("no series %s in the scrape", series)
	}
	return v
}

// findMetric returns the value of a series and whether the scrape has it.
func findMetric(t *testing.T, body, series string) (float64, bool) {
	t.Helper()
	for _, line := range strings.Split(body, "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return v, true
		}
	}
	return 0, false
}

func TestServeOperationsEndpoints(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	s := startServe(t, fake, map[string]string{"CITEBOT_HTTP_ADDR": "127.0.0.1:0", "CITEBOT_LOG_LEVEL": "info"}, nil)
	base := "http://" + opsAddr(t, s.logs)
	alice := fake.NewUser("alice")

	resp, body := get(t, base+"/healthz")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"status":"ok"`) {
		t.Errorf("/healthz: %d %s", resp.StatusCode, body)
	}
	if resp, body := get(t, base+"/readyz"); resp.StatusCode != 200 {
		t.Errorf("/readyz once online: %d %s, want 200", resp.StatusCode, body)
	}
	env := map[string]string{"CITEBOT_HTTP_ADDR": strings.TrimPrefix(base, "http://")}
	for _, args := range [][]string{{"healthcheck"}, {"healthcheck", "--ready"}} {
		if err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, io.Discard); err != nil {
			t.Errorf("%v: %v", args, err)
		}
	}

	before := scrape(t, base)
	if got := metricValue(t, before, "citebot_index_articles"); got != 5 {
		t.Errorf("citebot_index_articles = %v, want 5 (the shipped corpus)", got)
	}
	if metricValue(t, before, "citebot_index_chunks") < 5 {
		t.Errorf("citebot_index_chunks below the article count")
	}
	for _, series := range []string{"go_goroutines", "process_resident_memory_bytes", `citebot_build_info{go_version="` + runtime.Version() + `",version="dev"}`} {
		metricValue(t, before, series)
	}
	for series, want := range map[string]float64{
		`citebot_discord_gateway_events_total{event="identify"}`: 1, `citebot_discord_gateway_events_total{event="connected"}`: 1,
		`citebot_discord_gateway_events_total{event="resumed"}`: 0, `citebot_discord_refused_requests_total{status="429"}`: 0,
		`citebot_discord_invalid_requests_10m`: 0, `citebot_discord_global_rate_limits_total`: 0, `citebot_healthy`: 1,
	} {
		if got := metricValue(t, before, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}

	in := mustInvoke(t, fake, discordtest.Ask(alice, bidenXi))
	finalEdit(t, fake, in)
	in = mustInvoke(t, fake, discordtest.Ask(alice, "what is the boiling point of mercury on Mars?"))
	if text := finalEdit(t, fake, in).Text(); !strings.Contains(strings.ToLower(text), "corpus") {
		t.Logf("not-found answer: %s", text)
	}
	in = mustInvoke(t, fake, discordtest.Invocation{Command: "search", User: alice, Options: []discordtest.Opt{{Name: "query", Value: "theater commander call"}}})
	finalEdit(t, fake, in)
	// The bot logs its answer line after delivering; the metrics are
	// recorded before, so they are in place once the answer is.
	after := scrape(t, base)
	for _, c := range []struct {
		series string
		delta  float64
	}{
		{`citebot_questions_total{mode="extractive",outcome="answered"}`, 1},
		{`citebot_questions_total{mode="extractive",outcome="not_found"}`, 1},
		{`citebot_questions_total{mode="extractive",outcome="error"}`, 0},
		{`citebot_answer_duration_seconds_count{mode="extractive"}`, 2},
		{`citebot_retrieval_duration_seconds_count`, 3}, // two answers and one /search
		{`citebot_errors_total{kind="answer_failed"}`, 0},
	} {
		was, _ := findMetric(t, before, c.series) // a series may appear with its first event
		if got := metricValue(t, after, c.series) - was; got != c.delta {
			t.Errorf("%s moved by %v, want %v", c.series, got, c.delta)
		}
	}
	t.Logf("/metrics after two questions and a search (excerpt):\n%s", excerpt(after, "citebot_questions_total", "citebot_retrieval_duration_seconds_count", "citebot_answer_duration_seconds_sum", "citebot_index_"))

	// Shutdown: not ready while answers in progress finish, healthy until
	// the process ends, then nothing listens.
	hold := fake.Hold("POST /interactions/{interaction}/{token}/callback")
	mustInvoke(t, fake, discordtest.Ask(fake.NewUser("bob"), bidenXi))
	<-hold.Arrived()
	s.Cancel()
	waitLog(t, s.logs, "shutting down")
	resp, body = get(t, base+"/readyz")
	if resp.StatusCode != 503 || !strings.Contains(string(body), `"discord":"shutting down"`) {
		t.Errorf("/readyz while shutting down: %d %s", resp.StatusCode, body)
	}
	if resp, _ := get(t, base+"/healthz"); resp.StatusCode != 200 {
		t.Errorf("/healthz while shutting down: %d, want 200", resp.StatusCode)
	}
	hold.Release()
	if err := s.Wait(t); err != nil {
		t.Errorf("serve returned %v", err)
	}
	if err := run(context.Background(), []string{"healthcheck"}, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, io.Discard); err == nil {
		t.Error("healthcheck passed after serve exited")
	}
}

// excerpt returns the lines of a scrape that start with one of prefixes.
func excerpt(body string, prefixes ...string) string {
	var out []string
	for _, line := range strings.Split(body, "\n") {
		for _, p := range prefixes {
			if strings.HasPrefix(line, p) {
				out = append(out, line)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}

func TestServeNotReadyUntilDiscordConnects(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	hold := fake.Hold("GET /gateway")
	vars := map[string]string{
		"DISCORD_TOKEN": fake.Token(), "CITEBOT_DATA_DIR": t.TempDir(), "CITEBOT_GUILD_ID": fake.GuildID,
		"CITEBOT_HTTP_ADDR": "127.0.0.1:0",
	}
	serveHook = func(o *bot.Options) { o.HTTPClient = fake.Client() }
	t.Cleanup(func() { serveHook = nil })
	logs := &discordtest.Log{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return vars[k] }, strings.NewReader(""), io.Discard, logs)
	}()
	defer func() {
		cancel()
		hold.Release()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v", err)
		}
	}()
	base := "http://" + opsAddr(t, logs)
	select {
	case <-hold.Arrived(): // the index is loaded; the bot asks for the gateway
	case <-waitCtx(t).Done():
		t.Fatalf("the bot never asked for the gateway:\n%s", logs)
	}
	resp, body := get(t, base+"/readyz")
	if resp.StatusCode != 503 || !strings.Contains(string(body), `"discord":"connecting"`) || !strings.Contains(string(body), `"index":"ok"`) {
		t.Errorf("/readyz while connecting: %d %s, want 503 with discord connecting", resp.StatusCode, body)
	}
	hold.Release()
	waitLog(t, logs, "citebot is online")
	if resp, body := get(t, base+"/readyz"); resp.StatusCode != 200 {
		t.Errorf("/readyz once online: %d %s", resp.StatusCode, body)
	}
}

// writeArticle writes a Markdown article with front matter into dir.
func writeArticle(t *testing.T, dir, id, title, date, body string) {
	t.Helper()
	text := fmt.Sprintf("---\ntitle: %s\nsource: Test Wire\npublished: %s\n---\n%s\n", title, date, body)
	if err := os.WriteFile(filepath.Join(dir, id+".md"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestServeReloadsTheCorpus(t *testing.T) {
	old := indexPollInterval
	indexPollInterval = 20 * time.Millisecond
	t.Cleanup(func() { indexPollInterval = old })

	dir := t.TempDir()
	writeArticle(t, dir, "library", "City library extends opening hours", "2024-05-02",
		"The city library will stay open until 9 pm on weekdays from June, the council said on Thursday. The change follows a survey of readers.")
	writeArticle(t, dir, "park", "New park planned by the river", "2024-06-11",
		"Planners presented a new riverside park with a playground and a cycle path. Construction is expected to take two years.")
	data := t.TempDir()
	env := map[string]string{"CITEBOT_CORPUS": dir, "CITEBOT_DATA_DIR": data, "CITEBOT_HTTP_ADDR": "127.0.0.1:0", "CITEBOT_LOG_LEVEL": "debug"}
	fake := discordtest.New(t, discordtest.Options{})
	s := startServe(t, fake, env, nil)
	base := "http://" + opsAddr(t, s.logs)
	alice := fake.NewUser("alice")
	const question = "when will the Harbour Bridge open?"
	ask := func() string {
		in := mustInvoke(t, fake, discordtest.Ask(alice, question))
		return finalEdit(t, fake, in).Text()
	}
	if text := ask(); strings.Contains(text, "March 2025") {
		t.Fatalf("answered before the article exists:\n%s", text)
	}
	sources := func() string {
		in := mustInvoke(t, fake, discordtest.Invocation{Command: "sources", User: alice})
		return messageText(callback(t, fake, in).Message())
	}
	if text := sources(); !strings.Contains(text, "2 articles") {
		t.Errorf("/sources before the reload:\n%s", text)
	}

	// `citebot index` in another process (here: another run) adds an article.
	writeArticle(t, dir, "bridge", "Harbour Bridge to open in March", "2024-09-20",
		"The minister announced that the new Harbour Bridge will open on 3 March 2025. Tolls will not be charged in the first month.")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"index"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	t.Logf("citebot index: %s", strings.TrimSpace(out.String()))
	waitLog(t, s.logs, `msg="corpus reloaded" trigger=index_file`)
	line := lastLine(s.logs.String(), "corpus reloaded")
	for _, want := range []string{"added=1", "changed=0", "removed=0", "articles=3", "embedded=0"} {
		if !strings.Contains(line, want) {
			t.Errorf("reload log lacks %s: %s", want, line)
		}
	}
	if text := ask(); !strings.Contains(text, "March 2025") || !strings.Contains(text, "bridge") {
		t.Errorf("no answer from the new article after the reload:\n%s", text)
	}
	if in := mustInvoke(t, fake, discordtest.Invocation{Command: "article", User: alice, Options: []discordtest.Opt{{Name: "id", Value: "bridge"}}}); !strings.Contains(messageText(callback(t, fake, in).Message()), "Harbour Bridge to open in March") {
		t.Errorf("/article does not know the new article")
	}
	if text := sources(); !strings.Contains(text, "3 articles") || !strings.Contains(text, "Harbour Bridge to open in March") {
		t.Errorf("/sources does not show the new article at once:\n%s", text)
	}
	m := scrape(t, base)
	if got := metricValue(t, m, "citebot_index_articles"); got != 3 {
		t.Errorf("citebot_index_articles = %v after the reload, want 3", got)
	}
	if got := metricValue(t, m, `citebot_index_reloads_total{result="ok",trigger="index_file"}`); got != 1 {
		t.Errorf("index_file reloads = %v, want 1", got)
	}

	// SIGHUP: serve re-reads the corpus itself, embeds what is new and
	// saves the index.
	os.Remove(filepath.Join(dir, "park.md"))
	writeArticle(t, dir, "library", "City library extends opening hours", "2024-05-02",
		"The city library will stay open until 10 pm on weekdays from June, the council said on Thursday.")
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitLog(t, s.logs, `msg="corpus reloaded" trigger=signal`)
	line = lastLine(s.logs.String(), "corpus reloaded")
	for _, want := range []string{"added=0", "changed=1", "removed=1", "articles=2"} {
		if !strings.Contains(line, want) {
			t.Errorf("SIGHUP reload log lacks %s: %s", want, line)
		}
	}
	if strings.Contains(lastLine(s.logs.String(), "corpus reloaded"), "embedded=0") {
		t.Errorf("the changed article was not embedded: %s", line)
	}
	// Its vectors left serve's memory for the file it saved (the reload
	// maps them before it logs that it is done).
	logs := s.logs.String()
	if seg := logs[strings.Index(logs, "trigger=index_file"):strings.LastIndex(logs, "trigger=signal")]; !strings.Contains(seg, `msg="vectors mapped from the index file"`) {
		t.Errorf("the SIGHUP reload did not map the vectors it embedded:\n%s", seg)
	}
	// serve saved the index it embedded; its own write is not a change.
	time.Sleep(10 * indexPollInterval)
	if n := strings.Count(s.logs.String(), "corpus reloaded"); n != 2 {
		t.Errorf("%d reloads, want 2 (serve's own save must not trigger one)", n)
	}
	out.Reset()
	run(context.Background(), []string{"index"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, io.Discard)
	if !strings.Contains(out.String(), "0 added, 0 changed, 0 removed, 2 unchanged") {
		t.Errorf("the index serve saved is not current: %s", out.String())
	}
}

// lastLine returns the last log line containing s.
func lastLine(logs, s string) string {
	lines := strings.Split(logs, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], s) {
			return lines[i]
		}
	}
	return ""
}

func TestServeReloadKeepsServingOnABadIndexFile(t *testing.T) {
	old := indexPollInterval
	indexPollInterval = 20 * time.Millisecond
	t.Cleanup(func() { indexPollInterval = old })
	data := t.TempDir()
	fake := discordtest.New(t, discordtest.Options{})
	s := startServe(t, fake, map[string]string{"CITEBOT_DATA_DIR": data}, nil)
	os.WriteFile(filepath.Join(data, "shipped.cbi.tmp"), []byte("not an index"), 0o644)
	os.Rename(filepath.Join(data, "shipped.cbi.tmp"), filepath.Join(data, "shipped.cbi"))
	waitLog(t, s.logs, "the new index file cannot be used")
	time.Sleep(10 * indexPollInterval)
	if n := strings.Count(s.logs.String(), "the new index file cannot be used"); n != 1 {
		t.Errorf("reported %d times, want once", n)
	}
	in := mustInvoke(t, fake, discordtest.Ask(fake.NewUser("a"), bidenXi))
	if !strings.Contains(finalEdit(t, fake, in).Text(), "April 2024") {
		t.Error("no answer after a failed reload")
	}
}

func TestServeModelBackedMetricsAndLogs(t *testing.T) {
	const apiKey = "sk-serve-test-secret-key-0123456789"
	srv := openaitest.New(t)
	srv.ChatFunc(citeFirstLastCall)
	fake := discordtest.New(t, discordtest.Options{})
	env := map[string]string{
		"CITEBOT_CHAT_MODEL": "test-chat", "CITEBOT_EMBEDDING_MODEL": "test-embed",
		"OPENAI_BASE_URL": srv.URL, "OPENAI_API_KEY": apiKey,
		"CITEBOT_OPENAI_MAX_RETRIES": "0",
		"CITEBOT_HTTP_ADDR":          "127.0.0.1:0", "CITEBOT_LOG_LEVEL": "debug", "CITEBOT_LOG_FORMAT": "json",
	}
	s := startServe(t, fake, env, nil)
	base := "http://" + opsAddr(t, s.logs)
	alice := fake.NewUser("alice")
	// A streamed answer is edited several times; the bot logs "answered"
	// once the final one is delivered.
	answered := func(n int) {
		ctx := waitCtx(t)
		for strings.Count(s.logs.String(), `"msg":"answered"`) < n {
			select {
			case <-ctx.Done():
				t.Fatalf("fewer than %d answers:\n%s", n, s.logs)
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	in := mustInvoke(t, fake, discordtest.Ask(alice, bidenXi))
	answered(1)
	if m, _ := fake.Response(in); !strings.Contains(m.Text(), "April 2024") {
		t.Errorf("model-backed answer:\n%s", m.Text())
	}
	srv.Chat(openaitest.ServerError(500))
	mustInvoke(t, fake, discordtest.Ask(alice, bidenXi))
	answered(2)

	m := scrape(t, base)
	t.Logf("/metrics (excerpt):\n%s", excerpt(m, "citebot_questions_total{mode", "citebot_model_request_duration_seconds_count", `citebot_errors_total{kind="model`))
	for series, want := range map[string]float64{
		`citebot_questions_total{mode="llm",outcome="answered"}`:                      1,
		`citebot_questions_total{mode="extractive",outcome="answered"}`:               1, // the fallback
		`citebot_model_request_duration_seconds_count{op="chat",outcome="ok"}`:        1,
		`citebot_model_request_duration_seconds_count{op="chat",outcome="error"}`:     1,
		`citebot_model_request_duration_seconds_count{op="embed_query",outcome="ok"}`: 2,
		`citebot_errors_total{kind="model_server_error"}`:                             1,
	} {
		if got := metricValue(t, m, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	if metricValue(t, m, `citebot_model_request_duration_seconds_count{op="embed_documents",outcome="ok"}`) < 1 {
		t.Error("indexing embeddings were not measured")
	}
	s.Stop(t)
	logs := s.logs.String()
	for name, secret := range map[string]string{"the bot token": fake.Token(), "the API key": apiKey} {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs contain %s", name)
		}
	}
	if strings.Contains(logs, `"user":"`+alice.ID+`"`) || !strings.Contains(logs, `"user":"u-`) {
		t.Errorf("the asker's id is not pseudonymised in the logs")
	}
	var lines int
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, `"msg":"answered"`) {
			lines++
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("log line is not JSON: %s", line)
			}
			for _, k := range []string{"mode", "not_found", "took", "user"} {
				if _, ok := rec[k]; !ok {
					t.Errorf("answered line lacks %s: %s", k, line)
				}
			}
		}
	}
	if lines != 2 {
		t.Errorf("%d answered lines, want one per question (2)", lines)
	}
}

// waitStatus polls url until it answers code with a body containing want.
func waitStatus(t *testing.T, url string, code int, want string) string {
	t.Helper()
	ctx := waitCtx(t)
	for {
		resp, body := get(t, url)
		if resp.StatusCode == code && strings.Contains(string(body), want) {
			return string(body)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s answered %d %s, want %d with %q", url, resp.StatusCode, body, code, want)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// TestServeReadinessAndHealthFollowTheGateway: /readyz is 503 whenever the
// gateway is not healthy (here: heartbeats no longer acknowledged, then
// handshakes that stall), and /healthz turns 503 when the bot has had no
// session for bot.Options.StuckTimeout, so that an orchestrator restarts
// it; both recover with the connection. /healthz used to answer 200
// whatever happened to the gateway.
func TestServeReadinessAndHealthFollowTheGateway(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{HeartbeatInterval: 100 * time.Millisecond})
	s := startServe(t, fake, map[string]string{"CITEBOT_HTTP_ADDR": "127.0.0.1:0", "CITEBOT_LOG_LEVEL": "info"}, func(o *bot.Options) {
		o.OpenTimeout = time.Second
		o.StuckTimeout = 500 * time.Millisecond
	})
	base := "http://" + opsAddr(t, s.logs)
	waitStatus(t, base+"/readyz", 200, `"ready":true`)
	waitStatus(t, base+"/healthz", 200, `"status":"ok"`)

	fake.StallHandshakes(true)
	if err := fake.StopHeartbeatAcks(); err != nil {
		t.Fatal(err)
	}
	t.Logf("silent connection: /readyz %s", waitStatus(t, base+"/readyz", 503, `"discord":"reconnecting"`))
	t.Logf("no session: /healthz %s", waitStatus(t, base+"/healthz", 503, `"status":"unhealthy"`))

	fake.StallHandshakes(false)
	waitStatus(t, base+"/readyz", 200, `"ready":true`)
	waitStatus(t, base+"/healthz", 200, `"status":"ok"`)
	in := mustInvoke(t, fake, discordtest.Ask(fake.NewUser("ann"), bidenXi))
	finalEdit(t, fake, in)
	if st := fake.GatewayStats(); st.Identifies != 1 || st.Resumed < 1 {
		t.Errorf("gateway %+v, want the session resumed", st)
	}
	if err := s.Stop(t); err != nil {
		t.Errorf("serve returned %v", err)
	}
}
