package config_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"citebot/config"
)

func TestLoadSources(t *testing.T) {
	file := filepath.Join(t.TempDir(), "citebot.yaml")
	os.WriteFile(file, []byte("top_k: 7\nlog:\n  level: debug\nopenai:\n  chat_model: from-file\n  timeout: 90s\n"), 0o644)
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	f := config.RegisterFlags(fs)
	if err := fs.Parse([]string{"--config", file, "--chat-model", "from-flag", "-k", "3"}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CITEBOT_LOG_LEVEL": "warn", "CITEBOT_OPENAI_MAX_RETRIES": "1", "CITEBOT_DATA": "/srv/citebot"}
	c, src, err := config.LoadSources(f, envFunc(env))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"top_k":              "flag -k",
		"log.level":          "env CITEBOT_LOG_LEVEL",
		"log.format":         "default",
		"openai.chat_model":  "flag --chat-model",
		"openai.timeout":     "file " + file,
		"openai.max_retries": "env CITEBOT_OPENAI_MAX_RETRIES",
		"data_dir":           "env CITEBOT_DATA",
		"discord.token":      "default",
	}
	for key, w := range want {
		if got := src[key].String(); got != w {
			t.Errorf("source of %s: got %q, want %q", key, got, w)
		}
	}
	if len(src) != len(config.Keys) {
		t.Errorf("got sources for %d keys, want all %d", len(src), len(config.Keys))
	}
	if c.TopK != 3 || c.Log.Level != "warn" || c.OpenAI.ChatModel != "from-flag" || c.OpenAI.Timeout.String() != "1m30s" || c.OpenAI.MaxRetries != 1 || c.DataDir != "/srv/citebot" {
		t.Errorf("values do not follow their sources: %+v", c)
	}
}

func TestUnknownFileKeys(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"typo in a section", "openai:\n  chat_modle: x\n", []string{`line 2: unknown key "openai.chat_modle" (did you mean "openai.chat_model"?)`}},
		{"key in the wrong section", "guild_id: 123456789\n", []string{`line 1: unknown key "guild_id" (did you mean "discord.guild_id"?)`}},
		{"unknown section, reported once", "slack:\n  token: x\n  channel: y\n", []string{`line 1: unknown key "slack"`}},
		{"every unknown key at once", "top_kk: 3\nlog:\n  levle: debug\nhttp:\n  adr: :8080\n", []string{`"top_kk" (did you mean "top_k"?)`, `"log.levle" (did you mean "log.level"?)`, `"http.adr" (did you mean "http.addr"?)`}},
		{"a section given a value", "openai: gpt-4o\n", []string{`"openai" has the wrong shape`}},
		{"a key given a section", "top_k:\n  value: 3\n", []string{`"top_k" has the wrong shape`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "c.yaml")
			os.WriteFile(file, []byte(tt.yaml), 0o644)
			_, err := config.Load(nil, envFunc(map[string]string{"CITEBOT_CONFIG": file}))
			if err == nil {
				t.Fatal("got nil, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %q, want it to contain %q", err, w)
				}
			}
			if n := strings.Count(err.Error(), "config file "+file); n != len(tt.want) {
				t.Errorf("got %d problems, want %d:\n%v", n, len(tt.want), err)
			}
		})
	}
}

func TestFileErrorsDoNotShowSecrets(t *testing.T) {
	const key = "sk-file-secret-0123456789"
	for _, body := range []string{
		"openai:\n  api_kye: " + key + "\n",         // typo of a secret key
		"discord:\n  token: [" + key + "]\n",        // wrong type
		"openai:\n  api_key: " + key + "\n  x: 1\n", // another key unknown
	} {
		file := filepath.Join(t.TempDir(), "c.yaml")
		os.WriteFile(file, []byte(body), 0o644)
		_, err := config.Load(nil, envFunc(map[string]string{"CITEBOT_CONFIG": file}))
		if err == nil {
			t.Errorf("%q: got nil, want an error", body)
			continue
		}
		if strings.Contains(err.Error(), key) {
			t.Errorf("the error shows the secret: %v", err)
		}
	}
}

func TestWriteYAML(t *testing.T) {
	const token = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GhIjKl.writeyamlsecretwriteyamlsecret0123456"
	c := config.Default()
	c.Discord.Token = token
	c.OpenAI.ChatModel = "llama3.1"
	c.OpenAI.BaseURL = "http://ollama:11434/v1"
	c.TopK = 8
	c.HTTP.Addr = ":8080"
	src := map[string]config.Source{"top_k": {Layer: "flag", Name: "-k"}, "discord.token": {Layer: "env", Name: "DISCORD_TOKEN"}}
	var buf bytes.Buffer
	if err := config.WriteYAML(&buf, c, src); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	t.Logf("\n%s", out)
	if strings.Contains(out, token) {
		t.Fatal("the output shows the token")
	}
	for _, want := range []string{
		`token: '[redacted]' # env DISCORD_TOKEN`,
		`api_key: "" # not set`,
		"top_k: 8 # flag -k",
		"chat_model: llama3.1\n",
		`addr: :8080`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// Every key appears, and reading the output back gives the same
	// configuration but for the secrets.
	var doc yaml.Node
	if err := yaml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "dump.yaml")
	os.WriteFile(file, buf.Bytes(), 0o644)
	back := config.Default()
	if err := back.LoadFile(file); err != nil {
		t.Fatalf("the output does not load as a configuration file: %v", err)
	}
	for _, k := range config.Keys {
		if k.Secret {
			continue
		}
		if got, want := k.Value(&back), k.Value(&c); got != want {
			t.Errorf("%s: read back %q, want %q", k.Name, got, want)
		}
	}
}

// commentedKey matches an example line that shows a key commented out,
// "# data_dir: /var/lib/citebot".
var commentedKey = regexp.MustCompile(`(?m)^(\s*)# ([a-z_]+:( .*)?)$`)

// yamlKeys returns the dotted names of the value keys of a YAML file.
func yamlKeys(t *testing.T, data []byte) []string {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			if sub, ok := v.(map[string]any); ok {
				walk(prefix+k+".", sub)
				continue
			}
			out = append(out, prefix+k)
		}
	}
	walk("", m)
	slices.Sort(out)
	return out
}

// TestExampleFileHasEveryKey keeps citebot.example.yaml in step with
// config.Keys: it loads, its active values are the defaults, and every key
// appears in it, set or commented out.
func TestExampleFileHasEveryKey(t *testing.T) {
	const path = "../citebot.example.yaml"
	c := config.Default()
	if err := c.LoadFile(path); err != nil {
		t.Fatalf("the example does not load: %v", err)
	}
	def := config.Default()
	for _, k := range config.Keys {
		if got, want := k.Value(&c), k.Value(&def); got != want {
			t.Errorf("example sets %s to %q; the default is %q (show other values commented out)", k.Name, got, want)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	all := commentedKey.ReplaceAll(raw, []byte("$1$2"))
	file := filepath.Join(t.TempDir(), "all.yaml")
	os.WriteFile(file, all, 0o644)
	full := config.Default()
	if err := full.LoadFile(file); err != nil {
		t.Fatalf("the example with its commented keys does not load: %v", err)
	}
	var want []string
	for _, k := range config.Keys {
		want = append(want, k.Name)
	}
	slices.Sort(want)
	if got := yamlKeys(t, all); !slices.Equal(got, want) {
		t.Errorf("example keys:\n%v\nwant every key of config.Keys:\n%v", got, want)
	}
}

// TestConfigurationDocIsGenerated fails when docs/configuration.md drifts
// from config.Keys and config.Default: run `go generate ./config`.
func TestConfigurationDocIsGenerated(t *testing.T) {
	raw, err := os.ReadFile("../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := config.WriteMarkdown(&want); err != nil {
		t.Fatal(err)
	}
	if got := string(raw); got != want.String() {
		t.Errorf("docs/configuration.md is not what config.Keys generate; run `go generate ./config`")
	}
	for _, k := range config.Keys {
		row := "| `" + k.Name + "` |"
		if !strings.Contains(want.String(), row) {
			t.Errorf("the generated table has no row for %s", k.Name)
		}
		for _, env := range k.Env {
			if !strings.Contains(want.String(), "`"+env+"`") {
				t.Errorf("the generated table does not name %s", env)
			}
		}
	}
}

// TestConfigurationDocDoesNotDependOnTheMachine checks that the generated
// file is the same whatever the user cache directory is.
func TestConfigurationDocDoesNotDependOnTheMachine(t *testing.T) {
	var a, b bytes.Buffer
	if err := config.WriteMarkdown(&a); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	if err := config.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Errorf("the output changes with the cache directory")
	}
}
