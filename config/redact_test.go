package config_test

import (
	"strings"
	"testing"

	"citebot/config"
)

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://user:pa55word@host/v1?api_key=x", "http://redacted@host/v1?api_key=redacted"},
		{"http://localhost:11434/v1", "http://localhost:11434/v1"},
		{"https://api.openai.com/v1", "https://api.openai.com/v1"},
		{"https://user@host:8443/v1", "https://redacted@host:8443/v1"},
		{"https://h/v1?model=m&API-KEY=1&Access_Token=2&client_secret=3&Password=4&X-Amz-Signature=5&sig=6&auth=7&q=keep", "https://h/v1?model=m&API-KEY=redacted&Access_Token=redacted&client_secret=redacted&Password=redacted&X-Amz-Signature=redacted&sig=redacted&auth=redacted&q=keep"},
		{"https://h/v1?%61pi_key=x", "https://h/v1?%61pi_key=redacted"},
		{"https://h/cb#access_token=abc&state=s", "https://h/cb#access_token=redacted&state=s"},
		{"user:pa55word@host/v1", "redacted@host/v1"},
		{"user:pa55word@host/v1?key=1", "redacted@host/v1?key=redacted"},
		// Not a URL url.Parse accepts: redacted by its text.
		{"http://user:pa55word@host:port/v1?token=x", "http://redacted@host:port/v1?token=redacted"},
		{"http://us er:pa55 word@ho st/v1?token=x y#key=1", "http://redacted@ho st/v1?token=redacted#key=redacted"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := config.RedactURL(tt.in)
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			for _, secret := range []string{"pa55", "user:", "api_key=x", "=abc", "token=x"} {
				if strings.Contains(got, secret) {
					t.Errorf("%q still holds %q", got, secret)
				}
			}
		})
	}
}

// TestValidateRedactsBaseURL: the error about an invalid base URL shows it
// without its credentials.
func TestValidateRedactsBaseURL(t *testing.T) {
	c := config.Default()
	c.DataDir = t.TempDir()
	c.OpenAI.BaseURL = "ftp://user:pa55word@host/v1?api_key=x"
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), `openai.base_url: "ftp://redacted@host/v1?api_key=redacted" is not an http(s) URL`) {
		t.Fatalf("got %v", err)
	}
	k, _ := config.Lookup("openai.base_url")
	if got, want := k.Value(&c), "ftp://redacted@host/v1?api_key=redacted"; got != want {
		t.Errorf("Value: got %q, want %q", got, want)
	}
}
