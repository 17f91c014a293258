package openaitest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"citebot/rag/openaitest"
)

func post(t *testing.T, url, body string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestEmbeddingsAcceptBothInputForms(t *testing.T) {
	srv := openaitest.New(t)
	for _, tt := range []struct{ body string }{
		{`{"model":"m","input":"one text"}`},
		{`{"model":"m","input":["one text","two"]}`},
	} {
		resp, body := post(t, srv.URL+"/embeddings", tt.body)
		var got struct {
			Data []struct {
				Index     int       `json:"index"`
				Embedding []float32 `json:"embedding"`
			} `json:"data"`
		}
		if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &got) != nil || len(got.Data) == 0 {
			t.Fatalf("%s: %s %s", tt.body, resp.Status, body)
		}
		for _, d := range got.Data {
			if len(d.Embedding) != openaitest.DefaultDim {
				t.Errorf("embedding of %d dimensions, want %d", len(d.Embedding), openaitest.DefaultDim)
			}
		}
	}
	if got, want := srv.BatchSizes(), []int{1, 2}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("batch sizes %v, want %v", got, want)
	}
}

func TestChatStreamsServerSentEvents(t *testing.T) {
	srv := openaitest.New(t)
	srv.Chat(openaitest.Reply{Chunks: []string{"a ", "b"}, KeepAlive: 2})
	resp, body := post(t, srv.URL+"/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":"q"}]}`)
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	var content strings.Builder
	events := 0
	for _, line := range strings.Split(body, "\n") {
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok || data == "[DONE]" {
			continue
		}
		events++
		var ev struct {
			Choices []struct {
				Delta struct {
					Content string `json:"content"`
				} `json:"delta"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			t.Fatalf("event %q: %v", data, err)
		}
		content.WriteString(ev.Choices[0].Delta.Content)
	}
	if content.String() != "a b" || !strings.HasSuffix(body, "data: [DONE]\n\n") || events != 4 {
		t.Errorf("content %q, %d events, body %q; want \"a b\" in 4 events ending with [DONE]", content.String(), events, body)
	}
	if reqs := srv.ChatRequests(); len(reqs) != 1 || !reqs[0].Stream || reqs[0].Messages[0].Content != "q" {
		t.Errorf("recorded %+v", reqs)
	}
}

func TestScriptedFailures(t *testing.T) {
	srv := openaitest.New(t)
	srv.Chat(openaitest.RateLimited("3"), openaitest.BadGatewayHTML())
	resp, body := post(t, srv.URL+"/chat/completions", `{"model":"m","messages":[]}`)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "3" || !strings.Contains(body, `"error"`) {
		t.Errorf("first reply %s %v %s; want 429 with Retry-After 3 and a JSON error", resp.Status, resp.Header, body)
	}
	resp, body = post(t, srv.URL+"/chat/completions", `{"model":"m","messages":[]}`)
	if resp.StatusCode != 502 || !strings.HasPrefix(body, "<html>") {
		t.Errorf("second reply %s %s; want an HTML 502", resp.Status, body)
	}
	resp, body = post(t, srv.URL+"/chat/completions", `{"model":"m","messages":[]}`)
	if resp.StatusCode != 200 || !strings.Contains(body, openaitest.DefaultChatText) {
		t.Errorf("third reply %s %s; want the default text", resp.Status, body)
	}
}
