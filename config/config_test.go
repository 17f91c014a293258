package config_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"citebot/config"
)

func envFunc(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "citebot.yaml")
	os.WriteFile(file, []byte("top_k: 7\nlog:\n  level: debug\n  format: json\nopenai:\n  chat_model: from-file\n  timeout: 90s\n"), 0o644)

	tests := []struct {
		name  string
		env   map[string]string
		args  []string
		check func(c config.Config) string
	}{
		{"defaults", nil, nil, func(c config.Config) string {
			return fmt.Sprintf("k=%d level=%s chat=%q timeout=%s", c.TopK, c.Log.Level, c.OpenAI.ChatModel, c.OpenAI.Timeout)
		}},
		{"file over defaults", map[string]string{"CITEBOT_CONFIG": file}, nil, func(c config.Config) string {
			return fmt.Sprintf("k=%d level=%s chat=%q timeout=%s", c.TopK, c.Log.Level, c.OpenAI.ChatModel, c.OpenAI.Timeout)
		}},
		{"env over file", map[string]string{"CITEBOT_CONFIG": file, "CITEBOT_TOP_K": "9", "CITEBOT_CHAT_MODEL": "from-env"}, nil, func(c config.Config) string {
			return fmt.Sprintf("k=%d level=%s chat=%q timeout=%s", c.TopK, c.Log.Level, c.OpenAI.ChatModel, c.OpenAI.Timeout)
		}},
		{"flags over env", map[string]string{"CITEBOT_CONFIG": file, "CITEBOT_TOP_K": "9", "CITEBOT_CHAT_MODEL": "from-env"}, []string{"-k", "3", "--chat-model", "from-flag"}, func(c config.Config) string {
			return fmt.Sprintf("k=%d level=%s chat=%q timeout=%s", c.TopK, c.Log.Level, c.OpenAI.ChatModel, c.OpenAI.Timeout)
		}},
		{"--config flag over CITEBOT_CONFIG", map[string]string{"CITEBOT_CONFIG": "/does/not/exist.yaml"}, []string{"--config", file}, func(c config.Config) string {
			return fmt.Sprintf("k=%d level=%s chat=%q timeout=%s", c.TopK, c.Log.Level, c.OpenAI.ChatModel, c.OpenAI.Timeout)
		}},
	}
	want := []string{
		`k=5 level=info chat="" timeout=1m0s`,
		`k=7 level=debug chat="from-file" timeout=1m30s`,
		`k=9 level=debug chat="from-env" timeout=1m30s`,
		`k=3 level=debug chat="from-flag" timeout=1m30s`,
		`k=7 level=debug chat="from-file" timeout=1m30s`,
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			f := config.RegisterFlags(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			c, err := config.Load(f, envFunc(tt.env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := tt.check(c); got != want[i] {
				t.Errorf("got %s, want %s", got, want[i])
			}
		})
	}
}

func TestUnsetFlagsDoNotOverrideEnv(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	f := config.RegisterFlags(fs)
	fs.Parse([]string{"--as-of", "2024-01-01"})
	c, err := config.Load(f, envFunc(map[string]string{"CITEBOT_TOP_K": "12"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.TopK != 12 || c.AsOf != "2024-01-01" {
		t.Errorf("got top_k %d as_of %q, want 12 and 2024-01-01", c.TopK, c.AsOf)
	}
}

func TestFileUnknownKeyIsAnError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(file, []byte("top_k: 3\nopenai:\n  chat_modle: typo\n"), 0o644)
	_, err := config.Load(nil, envFunc(map[string]string{"CITEBOT_CONFIG": file}))
	if err == nil || !strings.Contains(err.Error(), "chat_modle") {
		t.Errorf("got %v, want an error naming the unknown key", err)
	}
}

func TestEnvErrorsNameTheVariable(t *testing.T) {
	_, err := config.Load(nil, envFunc(map[string]string{"CITEBOT_TOP_K": "many", "CITEBOT_OPENAI_TIMEOUT": "soon"}))
	for _, want := range []string{"top_k (CITEBOT_TOP_K)", `"many" is not a whole number`, "openai.timeout (CITEBOT_OPENAI_TIMEOUT)"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want it to contain %q", err, want)
		}
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	c := config.Default()
	c.TopK = 0
	c.LocalDim = 32
	c.AsOf = "yesterday"
	c.Log.Level = "loud"
	c.Log.Format = "xml"
	c.Chunk.MaxChars = 100
	c.OpenAI.BaseURL = "localhost:11434"
	c.OpenAI.ChatModel = "m"
	c.Discord.GuildID = "abc"
	c.HTTP.Addr = "nowhere"
	c.Discord.ShutdownGrace = 20 * time.Minute
	c.Corpus = filepath.Join(t.TempDir(), "missing")
	err := c.Validate()
	if err == nil {
		t.Fatal("Validate: got nil")
	}
	for _, field := range []string{"top_k:", "local_dim:", "as_of:", "log.level:", "log.format:", "chunk.max_chars:", "openai.base_url:", "discord.guild_id:", "discord.shutdown_grace:", "http.addr:", "corpus:"} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("error does not name %s:\n%v", field, err)
		}
	}
	if err := config.Default().Validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
}

func TestAPIKeyRequiredOnlyWithoutBaseURL(t *testing.T) {
	c := config.Default()
	c.OpenAI.ChatModel = "gpt-4o-mini"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "openai.api_key") {
		t.Errorf("no key, no base URL: got %v, want openai.api_key error", err)
	}
	c.OpenAI.BaseURL = "http://localhost:11434/v1"
	if err := c.Validate(); err != nil {
		t.Errorf("local server without key: got %v, want nil", err)
	}
}

const token = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789ABCD"

func TestSecretsNeverPrint(t *testing.T) {
	c := config.Default()
	c.Discord.Token = token
	c.OpenAI.APIKey = "sk-test-secret-key-1234567890"
	var sb strings.Builder
	fmt.Fprintf(&sb, "%v %+v %#v %s", c, c, c, c.Discord.Token)
	js, _ := json.Marshal(c)
	sb.Write(js)
	logger := slog.New(slog.NewTextHandler(&sb, nil))
	logger.Info("config", "cfg", c, "token", c.Discord.Token)
	slog.New(slog.NewJSONHandler(&sb, nil)).Info("config", "cfg", c)
	for _, k := range config.Keys {
		sb.WriteString(k.Value(&c))
	}
	out := sb.String()
	for _, secret := range []string{token, "sk-test-secret-key-1234567890"} {
		if strings.Contains(out, secret) {
			t.Errorf("secret %q leaked in output", secret[:8])
		}
	}
	if !strings.Contains(out, "[redacted]") {
		t.Errorf("output does not show [redacted]")
	}
	if c.Discord.Token.Reveal() != token {
		t.Errorf("Reveal does not return the value")
	}
}

func TestValidateDiscordToken(t *testing.T) {
	tests := []struct {
		name, token, want string
	}{
		{"missing", "", "is required"},
		{"space", "abc def", "white space"},
		{"malformed", "not-a-token", "malformed"},
		{"valid", token, ""},
		{"valid with Bot prefix", "Bot " + token, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Default()
			c.Discord.Token = config.Secret(tt.token)
			err := c.ValidateDiscord()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want error containing %q", err, tt.want)
			case err != nil && tt.token != "" && strings.Contains(err.Error(), tt.token):
				t.Errorf("error contains the token")
			}
		})
	}
}

func TestAsOfDate(t *testing.T) {
	c := config.Default()
	if got, ok := c.AsOfDate(); ok {
		t.Errorf("default: got %s, true; want false", got)
	}
	c.AsOf = "2024-10-02"
	if got, ok := c.AsOfDate(); !ok || got.Format("2006-01-02 15:04") != "2024-10-02 00:00" {
		t.Errorf("set: got %s, %v; want 2024-10-02 00:00, true", got, ok)
	}
}

func TestValidateDataDir(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "index.cbi")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dir, want string
	}{
		{"existing directory", tmp, ""},
		{"missing directory (created later)", filepath.Join(tmp, "new", "deeper"), ""},
		{"a file", file, "is a file; it must be a directory"},
		{"below a file", filepath.Join(file, "sub"), "not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Default()
			c.DataDir = tt.dir
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), "data_dir:") || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want a data_dir error containing %q", err, tt.want)
			}
		})
	}
}
