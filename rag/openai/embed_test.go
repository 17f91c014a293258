package openai_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"citebot/rag"
	"citebot/rag/openai"
	"citebot/rag/openaitest"
)

func unitLength(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

func TestOpenAIEmbedderBatches(t *testing.T) {
	tests := []struct {
		name  string
		texts []string
		want  []int // batch sizes, sorted (batches run concurrently)
	}{
		{"one request for few texts", texts(5, 10), []int{5}},
		{"at most 96 texts a request", texts(200, 10), []int{8, 96, 96}},
		{"at most 120 kB a request", texts(5, 50_000), []int{1, 2, 2}},
		{"an oversized text goes alone", append(texts(2, 10), strings.Repeat("x", 130_000)), []int{1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := openaitest.New(t)
			c, _ := newClient(t, srv, nil)
			emb := c.Embedder("embed-a", nil)
			vecs, err := emb.EmbedDocuments(context.Background(), tt.texts)
			if err != nil {
				t.Fatal(err)
			}
			got := srv.BatchSizes()
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("batch sizes %v, want %v", got, tt.want)
			}
			if len(vecs) != len(tt.texts) {
				t.Fatalf("%d vectors for %d texts", len(vecs), len(tt.texts))
			}
			// The fake answers in reverse order; vectors must follow "index".
			for i, v := range vecs {
				want := rag.Normalize32(srv.Vector("embed-a", tt.texts[i]))
				if !slices.Equal(v, want) {
					t.Fatalf("vector %d is not the normalised embedding of text %d", i, i)
				}
				if l := unitLength(v); math.Abs(l-1) > 1e-5 {
					t.Fatalf("vector %d has length %f, want 1", i, l)
				}
			}
		})
	}
}

// texts returns n distinct texts of about size bytes.
func texts(n, size int) []string {
	out := make([]string, n)
	for i := range out {
		s := fmt.Sprintf("text %d about talks ", i)
		out[i] = s + strings.Repeat("y", max(0, size-len(s)))
	}
	return out
}

func TestOpenAIEmbedderName(t *testing.T) {
	srv := openaitest.New(t)
	c, _ := newClient(t, srv, nil)
	host := strings.TrimPrefix(strings.TrimSuffix(srv.URL, "/v1"), "http://")
	if got, want := c.Embedder("nomic-embed-text", nil).Name(), "openai:nomic-embed-text@"+host; got != want {
		t.Errorf("Name() = %q, want %q", got, want)
	}
	def, err := openai.New(openai.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := def.Embedder("text-embedding-3-small", nil).Name(), "openai:text-embedding-3-small@api.openai.com"; got != want {
		t.Errorf("Name() = %q, want %q", got, want)
	}
}

func TestOpenAIEmbedderRejectsDimensionChange(t *testing.T) {
	srv := openaitest.New(t)
	c, _ := newClient(t, srv, nil)
	emb := c.Embedder("m", nil)
	if _, err := emb.EmbedDocuments(context.Background(), []string{"a"}); err != nil {
		t.Fatal(err)
	}
	srv.SetDim("m", 32) // the server swapped the model behind the name
	_, err := emb.EmbedDocuments(context.Background(), []string{"b"})
	var me *rag.ModelError
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "dimensions") {
		t.Errorf("err = %v, want a *ModelError about dimensions", err)
	}
}

func TestOpenAIEmbedQueryDegradesToKeywords(t *testing.T) {
	srv := openaitest.New(t)
	c, _ := newClient(t, srv, func(o *openai.Options) { o.MaxRetries = -1 })
	emb := c.Embedder("m", nil)
	v, err := emb.EmbedQuery(context.Background(), "when did they speak?")
	if err != nil || len(v) != openaitest.DefaultDim {
		t.Fatalf("EmbedQuery = %d dims, %v; want %d, nil", len(v), err, openaitest.DefaultDim)
	}
	srv.Embed(openaitest.ServerError(503))
	v, err = emb.EmbedQuery(context.Background(), "when did they speak?")
	if err != nil || v != nil {
		t.Errorf("with the server failing: EmbedQuery = %v, %v; want nil, nil (keyword search)", v, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := emb.EmbedQuery(ctx, "when?"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v, want context.Canceled", err)
	}
}

func TestOpenAIClientConcurrencyLimit(t *testing.T) {
	srv := openaitest.New(t)
	const limit = 2
	c, _ := newClient(t, srv, func(o *openai.Options) { o.MaxConcurrent = limit })
	emb := c.Embedder("m", nil)
	chat := c.Chat("chat")
	for range 6 {
		srv.Embed(openaitest.Reply{Delay: 20 * time.Millisecond})
		srv.Chat(openaitest.Slow(20*time.Millisecond, "x [1]."))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for i := range 6 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, err := emb.EmbedDocuments(context.Background(), []string{fmt.Sprint("text ", i)})
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, err := chat.Complete(context.Background(), rag.Prompt{System: "s", User: "u"}, func(string) {})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := srv.MaxInFlight(); got > limit {
		t.Errorf("%d requests at once, want at most %d (shared by embeddings and chat)", got, limit)
	}
}
