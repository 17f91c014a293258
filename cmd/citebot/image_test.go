package main_test

// TestImage runs, without Docker, every step the Dockerfile makes the image
// run: the build context after .dockerignore, `go mod download`, the exact
// `go build` command, and then the binary as the image starts it: in a root
// that holds only /citebot and /data (no shell, no /etc, no HOME), as uid
// 65532, with only the image's ENV; its HEALTHCHECK command; its shutdown;
// and that a mounted configuration file beats the image's defaults.
//
// It builds a binary, so it is opt-in (`.ci/run` runs it):
//
//	CITEBOT_IMAGE_TEST=1 go test -run TestImage -v ./cmd/citebot
//
// The chroot and the uid switch need root; without root those parts run as
// the current user in the real root and say so.

import (
	"bufio"
	"context"
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"citebot/bot/discordtest"
)

// dockerfile is what the test reads from the Dockerfile.
type dockerfile struct {
	build       string   // the RUN line with `go build`
	env         []string // ENV of the final stage, KEY=value
	user        string   // USER of the final stage
	entrypoint  []string
	cmd         []string
	healthcheck []string
	lines       []string // all instructions, continuation lines joined
}

func parseDockerfile(t *testing.T, path string) dockerfile {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d dockerfile
	var cur strings.Builder
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			cur.WriteString(strings.TrimSuffix(line, "\\") + " ")
			continue
		}
		cur.WriteString(line)
		if s := strings.TrimSpace(cur.String()); s != "" {
			d.lines = append(d.lines, s)
		}
		cur.Reset()
	}
	jsonArgs := func(s string) []string {
		var out []string
		if err := json.Unmarshal([]byte(s), &out); err != nil {
			t.Fatalf("Dockerfile: %q is not an exec-form (JSON) list: %v", s, err)
		}
		return out
	}
	final := false
	for _, l := range d.lines {
		instr, rest, _ := strings.Cut(l, " ")
		switch strings.ToUpper(instr) {
		case "FROM":
			final = !strings.Contains(rest, " AS ") // the last stage has no name
		case "RUN":
			if strings.Contains(rest, "go build") {
				d.build = rest
			}
		case "ENV":
			if final {
				for _, kv := range strings.Fields(rest) {
					d.env = append(d.env, kv)
				}
			}
		case "USER":
			d.user = rest
		case "ENTRYPOINT":
			d.entrypoint = jsonArgs(rest)
		case "CMD":
			d.cmd = jsonArgs(rest)
		case "HEALTHCHECK":
			i := strings.Index(rest, "CMD ")
			if i < 0 {
				t.Fatal("HEALTHCHECK without CMD")
			}
			d.healthcheck = jsonArgs(rest[i+4:])
		}
	}
	return d
}

// ignored reports whether .dockerignore patterns exclude the slash path p.
// It supports what citebot's file uses: globs, a leading "**/", and
// directories excluding everything beneath them.
func ignored(patterns []string, p string) bool {
	parts := strings.Split(p, "/")
	for _, pat := range patterns {
		anyDepth := strings.HasPrefix(pat, "**/")
		pat = strings.TrimPrefix(strings.TrimPrefix(pat, "**/"), "/")
		n := strings.Count(pat, "/") + 1
		// The pattern matches a leading run of the path's parts (anywhere
		// in it with "**/"); a matched directory excludes its contents.
		for start := 0; start+n <= len(parts) && (start == 0 || anyDepth); start++ {
			if ok, _ := path.Match(pat, strings.Join(parts[start:start+n], "/")); ok {
				return true
			}
		}
	}
	return false
}

// buildContext copies the repository files that .dockerignore lets through
// into dir, as `docker build .` would send them.
func buildContext(t *testing.T, root, dir string) int {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	var pats []string
	for _, l := range strings.Split(string(raw), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if strings.HasPrefix(l, "!") {
			t.Fatalf(".dockerignore: exceptions (%s) are not supported by this test's matcher", l)
		}
		pats = append(pats, l)
	}
	n := 0
	err = filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if ignored(pats, rel) {
			if de.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if de.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		if !de.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDockerignoreMatcher(t *testing.T) {
	pats := []string{".git", "**/testdata", "**/*_test.go", "*.md", "/citebot", "docs"}
	for p, want := range map[string]bool{
		".git":                       true,
		".git/config":                true,
		"rag/testdata/prompt.golden": true,
		"bot/bot_test.go":            true,
		"README.md":                  true,
		"citebot":                    true,
		"docs/quality.md":            true,
		"cmd/citebot/main.go":        false,
		"corpus/seed/metadata.yaml":  false,
		"rag/doc.md":                 false, // *.md is the root only
		"cmd/citebot":                false,
	} {
		if got := ignored(pats, p); got != want {
			t.Errorf("ignored(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestImage(t *testing.T) {
	if os.Getenv("CITEBOT_IMAGE_TEST") == "" {
		t.Skip("builds the image's binary; set CITEBOT_IMAGE_TEST=1 (.ci/run does)")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	d := parseDockerfile(t, filepath.Join(root, "Dockerfile"))
	for _, want := range []string{"COPY go.mod go.sum ./", "RUN go mod download", "COPY . .", "ARG VERSION=dev", "VOLUME /data", "EXPOSE 8080"} {
		if !slices.Contains(d.lines, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	if d.build == "" || !strings.Contains(d.build, "-o /out/citebot") {
		t.Fatalf("Dockerfile: no `go build … -o /out/citebot` RUN line")
	}
	if want := []string{"/citebot"}; !slices.Equal(d.entrypoint, want) || !slices.Equal(d.cmd, []string{"serve"}) || !slices.Equal(d.healthcheck, []string{"/citebot", "healthcheck"}) {
		t.Errorf("ENTRYPOINT %q CMD %q HEALTHCHECK %q; want [/citebot] [serve] [/citebot healthcheck]", d.entrypoint, d.cmd, d.healthcheck)
	}
	if d.user != "65532:65532" && d.user != "nonroot" && d.user != "65532" {
		t.Errorf("USER %q, want the distroless nonroot user 65532", d.user)
	}
	for _, kv := range d.env {
		// Values in ENV would beat a mounted configuration file; the
		// image's defaults are built into its binary instead.
		if strings.HasPrefix(kv, "CITEBOT_") {
			t.Errorf("Dockerfile: ENV %s would override a mounted configuration file; build the default into the binary (-X citebot/config.builtin…)", kv)
		}
	}
	t.Logf("build: %s\nenv: %v", d.build, d.env)

	// The build context and the two RUN steps of the build stage, in a
	// shell as RUN runs them.
	ctxDir, out := t.TempDir(), t.TempDir()
	t.Logf("build context: %d files", buildContext(t, root, ctxDir))
	const version = "v0.0.0-imagetest"
	sh := func(cmdline string) {
		t.Helper()
		c := exec.Command("/bin/sh", "-c", cmdline)
		c.Dir = ctxDir
		c.Env = append(os.Environ(), "VERSION="+version)
		if b, err := c.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", cmdline, err, b)
		}
	}
	sh("go mod download")
	start := time.Now()
	sh(strings.ReplaceAll(d.build, "/out/", out+"/"))
	bin := filepath.Join(out, "citebot")
	t.Logf("built %s in %s", bin, time.Since(start).Round(time.Millisecond))

	t.Run("static, stripped, stamped", func(t *testing.T) {
		f, err := elf.Open(bin)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Error("the binary has a program interpreter: it is not static")
			}
		}
		if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
			t.Errorf("the binary needs shared libraries %v", libs)
		}
		if f.Section(".symtab") != nil {
			t.Error("the binary has a symbol table (-s missing)")
		}
		info, err := buildinfo.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		settings := map[string]string{}
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
		// (-ldflags is not recorded with -trimpath; the version subtest
		// checks the -X stamp.)
		if settings["CGO_ENABLED"] != "0" || settings["-trimpath"] != "true" {
			t.Errorf("build settings %v; want CGO_ENABLED=0 and -trimpath", settings)
		}
	})

	// The image's root file system: the binary and the volume, nothing else.
	img := t.TempDir()
	os.Chmod(img, 0o755)
	copyFile(t, bin, filepath.Join(img, "citebot"), 0o755)
	os.Mkdir(filepath.Join(img, "data"), 0o755)
	asImage := os.Geteuid() == 0
	if asImage {
		if err := os.Chown(filepath.Join(img, "data"), 65532, 65532); err != nil {
			t.Fatal(err)
		}
	} else {
		t.Log("not root: running the binary as the current user, without chroot")
	}
	// exe returns a command running args[0] (an image path) as the image
	// runs it: env holds only the image's ENV plus extra.
	exe := func(ctx context.Context, extra []string, args ...string) *exec.Cmd {
		env := append(append([]string(nil), d.env...), extra...)
		if asImage {
			c := exec.CommandContext(ctx, args[0], args[1:]...)
			c.Path = args[0]
			c.Env = env
			c.Dir = "/"
			c.SysProcAttr = &syscall.SysProcAttr{Chroot: img, Credential: &syscall.Credential{Uid: 65532, Gid: 65532}}
			return c
		}
		// Without chroot, /data is the image's directory on the host.
		env = append([]string{"CITEBOT_DATA_DIR=" + filepath.Join(img, "data")}, env...)
		c := exec.CommandContext(ctx, filepath.Join(img, strings.TrimPrefix(args[0], "/")), args[1:]...)
		c.Env = env
		return c
	}

	t.Run("version", func(t *testing.T) {
		b, err := exe(context.Background(), nil, "/citebot", "version").CombinedOutput()
		if err != nil || strings.TrimSpace(string(b)) != "citebot "+version {
			t.Errorf("citebot version: %q, %v; want citebot %s", b, err, version)
		}
	})

	t.Run("a mounted config file beats the image's defaults", func(t *testing.T) {
		if !asImage {
			t.Skip("needs the chroot (root): without it the test sets CITEBOT_DATA_DIR")
		}
		if err := os.WriteFile(filepath.Join(img, "citebot.yaml"), []byte("data_dir: /data/mine\nhttp:\n  addr: 127.0.0.1:9000\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(filepath.Join(img, "citebot.yaml"))
		tests := []struct {
			name  string
			extra []string
			want  []string
		}{
			{"no file: the built-in defaults", nil, []string{"data_dir: /data # default", "addr: :8080 # default"}},
			{"CITEBOT_CONFIG", []string{"CITEBOT_CONFIG=/citebot.yaml"}, []string{"data_dir: /data/mine # file /citebot.yaml", "addr: 127.0.0.1:9000 # file /citebot.yaml"}},
			{"docker run -e over the file, with a note", []string{"CITEBOT_CONFIG=/citebot.yaml", "CITEBOT_HTTP_ADDR=:8081"},
				[]string{"data_dir: /data/mine # file /citebot.yaml", "addr: :8081 # env CITEBOT_HTTP_ADDR, overrides file /citebot.yaml", "# Note: env CITEBOT_HTTP_ADDR overrides http.addr from file /citebot.yaml"}},
		}
		for _, tt := range tests {
			b, err := exe(context.Background(), tt.extra, "/citebot", "config", "check").CombinedOutput()
			if err != nil {
				t.Errorf("%s: citebot config check: %v\n%s", tt.name, err, b)
				continue
			}
			for _, want := range tt.want {
				if !strings.Contains(string(b), want) {
					t.Errorf("%s: config check lacks %q:\n%s", tt.name, want, b)
				}
			}
		}
	})

	t.Run("serve, healthcheck, shutdown", func(t *testing.T) {
		// Discord is out of reach: a local proxy that accepts and never
		// answers holds the bot in "connecting", and nothing leaves the host.
		proxy := newSilentProxy(t)
		port := freePort(t)
		extra := []string{
			"DISCORD_TOKEN=MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789ABCD",
			"HTTPS_PROXY=http://" + proxy.addr(),
			"CITEBOT_HTTP_ADDR=127.0.0.1:" + port, // as `docker run -e` would override it
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		serve := exe(ctx, extra, append(d.entrypoint, d.cmd...)...)
		logs := &discordtest.Log{}
		serve.Stdout, serve.Stderr = logs, logs
		if err := serve.Start(); err != nil {
			t.Fatal(err)
		}
		var waitErr error
		exited := make(chan struct{})
		go func() { waitErr = serve.Wait(); close(exited) }()
		defer func() {
			serve.Process.Kill()
			<-exited
		}()

		var hc []byte
		for {
			hc, err = exe(ctx, extra, d.healthcheck...).CombinedOutput()
			if err == nil {
				break
			}
			select {
			case <-exited:
				t.Fatalf("serve exited (%v) before the healthcheck passed:\n%s", waitErr, logs)
			case <-ctx.Done():
				t.Fatalf("the healthcheck never passed: %s\n%s", hc, logs)
			case <-time.After(50 * time.Millisecond):
			}
		}
		t.Logf("HEALTHCHECK %v: %s", d.healthcheck, strings.TrimSpace(string(hc)))
		// The index is built (and saved in the volume) before connecting.
		waitFor(t, ctx, func() bool { return strings.Contains(logs.String(), "discordgo") || proxy.connections() > 0 })
		resp, err := http.Get("http://127.0.0.1:" + port + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 503 || !strings.Contains(string(body), `"index":"ok"`) || !strings.Contains(string(body), `"discord":"connecting"`) {
			t.Errorf("/readyz while Discord is out of reach: %d %s", resp.StatusCode, body)
		}
		if b, err := exe(ctx, extra, append(d.healthcheck, "--ready")...).CombinedOutput(); err == nil {
			t.Errorf("healthcheck --ready passed while not connected: %s", b)
		}
		fi, err := os.Stat(filepath.Join(img, "data", "shipped.cbi"))
		if err != nil {
			t.Fatalf("no index in the volume: %v\n%s", err, logs)
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && asImage && st.Uid != 65532 {
			t.Errorf("the index is owned by uid %d, want 65532", st.Uid)
		}

		// docker stop: SIGTERM while the bot is still connecting. The proxy
		// stays silent until serve has exited: the bot must give up on its
		// own, and a request that fails at the same moment as the signal
		// arrives cannot pass for the shutdown.
		serve.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
			if waitErr != nil {
				t.Errorf("serve exited with %v after SIGTERM, want status 0\n%s", waitErr, logs)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("serve did not exit within 30s of SIGTERM\n%s", logs)
		}
		if b, err := exe(context.Background(), extra, d.healthcheck...).CombinedOutput(); err == nil {
			t.Errorf("the healthcheck passed after serve exited: %s", b)
		} else if ee := (*exec.ExitError)(nil); errors.As(err, &ee) && ee.ExitCode() != 1 {
			t.Errorf("healthcheck exit status %d, want 1", ee.ExitCode())
		}
		if strings.Contains(logs.String(), "abcdefghijklmnopqrstuvwxyz0123456789ABCD") {
			t.Error("the token reached the logs")
		}
		if asImage {
			t.Logf("ran as uid 65532 in a root holding only /citebot and /data; its log:\n%s", excerptLines(logs.String(), 8))
		}
	})
}

// silentProxy accepts connections and never answers.
type silentProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newSilentProxy(t *testing.T) *silentProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &silentProxy{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			p.conns = append(p.conns, c)
			p.mu.Unlock()
			go io.Copy(io.Discard, bufio.NewReader(c))
		}
	}()
	t.Cleanup(p.close)
	return p
}

func (p *silentProxy) addr() string { return p.ln.Addr().String() }

func (p *silentProxy) connections() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

func (p *silentProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

func waitFor(t *testing.T, ctx context.Context, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatal("timed out")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, mode); err != nil {
		t.Fatal(err)
	}
}

// excerptLines returns the first n lines of s.
func excerptLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}
