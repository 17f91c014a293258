package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"citebot/config"
)

// runHealthcheck asks the operations listener of a running `citebot serve`
// whether it is up: GET /healthz (or /readyz with --ready) on the address
// of http.addr, with a wildcard host replaced by 127.0.0.1. It exits 0
// when the answer is 200 and citebot's (a JSON body with "service":
// "citebot" that says ok, or ready), and 1 otherwise, printing one line
// either way, so that a container HEALTHCHECK needs neither a shell nor
// curl. Another server answering 200 on the address (a port clash, a
// proxy's error page) is unhealthy.
//
// It reads only the configuration it needs (--config, --http and the
// environment) and does not validate the rest: a healthcheck must not fail
// because of an unrelated setting.
func runHealthcheck(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	flags := config.RegisterFlags(fs, "http")
	ready := fs.Bool("ready", false, "check /readyz (index loaded, Discord connected) instead of /healthz")
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this long")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: citebot healthcheck [--ready] [--http ADDR]\n\nExits 0 when the operations listener of citebot serve answers 200.\n\nFlags:\n")
		fs.SetOutput(e.stderr)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return errHelp // the flag set has printed the usage
	} else if err != nil {
		return fmt.Errorf("%w: healthcheck: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: healthcheck takes no arguments", errUsage)
	}
	if *timeout <= 0 {
		return fmt.Errorf("%w: healthcheck: --timeout %s: must be more than 0, e.g. 3s", errUsage, *timeout)
	}
	cfg, src, err := config.LoadSources(flags, e.getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	if cfg.HTTP.Addr == "" {
		return errors.New("healthcheck: http.addr is not set, so serve has no operations listener; set CITEBOT_HTTP_ADDR (e.g. :8080) for both")
	}
	u, err := localURL(cfg.HTTP.Addr)
	if err != nil && src["http.addr"].Layer == "flag" {
		return fmt.Errorf("%w: healthcheck: --http: %w", errUsage, err)
	}
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	path := "/healthz"
	if *ready {
		path = "/readyz"
	}
	u += path
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	// No proxy: the listener is local.
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: unhealthy: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	line := fmt.Sprintf("%s %s %.300s", u, resp.Status, strings.TrimSpace(string(body)))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: unhealthy: %s", line)
	}
	if err := citebotsAnswer(body, *ready); err != nil {
		return fmt.Errorf("healthcheck: unhealthy: %s: %w", line, err)
	}
	fmt.Fprintln(e.stdout, "healthy:", line)
	return nil
}

// citebotsAnswer checks that a 200 body of /healthz (or /readyz with
// ready) is citebot's and says ok (ready).
func citebotsAnswer(body []byte, ready bool) error {
	var a struct {
		Service string `json:"service"`
		Status  string `json:"status"`
		Ready   bool   `json:"ready"`
	}
	if err := json.Unmarshal(body, &a); err != nil || a.Service != opsService {
		return errors.New("the answer is not citebot's (is another server listening on this address?)")
	}
	if ready && !a.Ready || !ready && a.Status != "ok" {
		return errors.New("citebot answered 200 without saying ok")
	}
	return nil
}

// localURL turns a listen address into the URL to reach it from the same
// host: ":8080" and "0.0.0.0:8080" become http://127.0.0.1:8080, "[::]:8080"
// http://[::1]:8080; a named host is kept.
func localURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("http.addr %q: %w", addr, err)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port), nil
}
