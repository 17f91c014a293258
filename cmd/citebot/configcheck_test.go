package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"citebot/config"
)

// Recognisable secrets: none may ever appear in what config check prints.
const (
	fileToken = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.FILETK.filetokenfiletokenfiletokenfiletoken01"
	fileKey   = "sk-from-the-config-file-0123456789"
	envToken  = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.ENVTOK.envtokenenvtokenenvtokenenvtokenenv01"
	envKey    = "sk-from-the-environment-0123456789"
)

func configCheck(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), append([]string{"config", "check"}, args...), func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

func noSecrets(t *testing.T, texts ...string) {
	t.Helper()
	for _, text := range texts {
		for _, s := range []string{fileToken, fileKey, envToken, envKey} {
			if strings.Contains(text, s) {
				t.Errorf("a secret (%s…) was printed:\n%s", s[:12], text)
			}
		}
	}
}

func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "citebot.yaml")
	os.WriteFile(file, []byte("top_k: 7\nopenai:\n  api_key: "+fileKey+"\n  base_url: http://ollama:11434/v1\n  chat_model: from-file\ndiscord:\n  token: "+fileToken+"\n"), 0o644)

	t.Run("valid: every key, its source, secrets redacted", func(t *testing.T) {
		env := map[string]string{"CITEBOT_CONFIG": file, "OPENAI_API_KEY": envKey, "CITEBOT_LOG_FORMAT": "json"}
		out, errOut, err := configCheck(t, env, "--chat-model", "from-flag", "--http", "127.0.0.1:9090", "--data", dir)
		if err != nil {
			t.Fatalf("got %v\n%s%s", err, out, errOut)
		}
		t.Logf("config check printed:\n%s", out)
		noSecrets(t, out, errOut)
		for _, want := range []string{
			"top_k: 7 # file " + file,
			"format: json # env CITEBOT_LOG_FORMAT",
			"chat_model: from-flag # flag --chat-model",
			"addr: 127.0.0.1:9090 # flag --http",
			"api_key: '[redacted]' # env OPENAI_API_KEY",
			"token: '[redacted]' # file " + file,
			"max_retries: 3 # default",
			"# The configuration is valid.",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q", want)
			}
		}
		for _, k := range config.Keys {
			leaf := k.Name[strings.LastIndex(k.Name, ".")+1:]
			if !strings.Contains(out, leaf+":") {
				t.Errorf("output lacks key %s", k.Name)
			}
		}
	})

	t.Run("invalid: every problem at once, exit 2 (bad flags), still no secret", func(t *testing.T) {
		env := map[string]string{"CITEBOT_CONFIG": file, "DISCORD_TOKEN": envToken + " x", "CITEBOT_LOG_LEVEL": "loud"}
		out, errOut, err := configCheck(t, env, "-k", "99", "--http", "nowhere", "--guild", "abc")
		if err == nil {
			t.Fatal("got nil, want an invalid configuration")
		}
		if code := exitCode(err, &bytes.Buffer{}); code != 2 {
			t.Errorf("exit status %d, want 2 (bad flag values)", code)
		}
		noSecrets(t, out, errOut, err.Error())
		for _, want := range []string{"top_k: 99 is out of range", `log.level: "loud"`, `http.addr: "nowhere"`, `discord.guild_id: "abc"`, "discord.token: contains white space"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q:\n%v", want, err)
			}
		}
		if !strings.Contains(out, "top_k: 99 # flag -k") {
			t.Errorf("the configuration was not printed before the problems:\n%s", out)
		}
	})

	t.Run("a secret passed as a flag is refused without echoing it", func(t *testing.T) {
		for _, flag := range []string{"--token", "--api-key", "--discord.token"} {
			out, errOut, err := configCheck(t, nil, flag, envToken)
			if err == nil || exitCode(err, &bytes.Buffer{}) != 2 {
				t.Errorf("%s: got %v, want a usage error", flag, err)
			}
			if err != nil {
				noSecrets(t, out, errOut, err.Error())
			}
		}
	})

	t.Run("unknown key in the file", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.yaml")
		os.WriteFile(bad, []byte("openai:\n  api_kye: "+fileKey+"\n"), 0o644)
		_, _, err := configCheck(t, nil, "--config", bad)
		if err == nil || !strings.Contains(err.Error(), `unknown key "openai.api_kye" (did you mean "openai.api_key"?)`) {
			t.Errorf("got %v", err)
		}
		if err != nil {
			noSecrets(t, err.Error())
		}
	})
}

func TestConfigCheckNotesEnvOverridingFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "citebot.yaml")
	if err := os.WriteFile(file, []byte("data_dir: "+dir+"\nhttp:\n  addr: 127.0.0.1:9000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CITEBOT_HTTP_ADDR": ":8080", "CITEBOT_LOG_LEVEL": "debug"}
	out, errOut, err := configCheck(t, env, "--config", file)
	if err != nil {
		t.Fatalf("got %v\n%s%s", err, out, errOut)
	}
	for _, want := range []string{
		"addr: :8080 # env CITEBOT_HTTP_ADDR, overrides file " + file,
		"# Note: env CITEBOT_HTTP_ADDR overrides http.addr from file " + file,
		"data_dir: " + dir + " # file " + file,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "overrides log.level") || strings.Contains(out, "overrides data_dir") {
		t.Errorf("a note for a key the environment did not override:\n%s", out)
	}
}
