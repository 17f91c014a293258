package rag_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"citebot/rag"
)

func TestSearchTrace(t *testing.T) {
	type call struct {
		took time.Duration
		n    int
		err  error
	}
	var (
		mu    sync.Mutex
		calls []call
	)
	ctx := rag.WithSearchTrace(context.Background(), &rag.SearchTrace{Done: func(took time.Duration, n int, err error) {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, call{took, n, err})
	}})

	ix := newIndex(t, shipped(t))
	ps, err := ix.Search(ctx, "theater commander call", rag.SearchOptions{K: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rag.NewExtractive(ix).Answer(ctx, rag.Query{Question: "Who did Jake Sullivan meet in Beijing?"}); err != nil {
		t.Fatal(err)
	}
	_, emptyErr := newIndex(t, nil).Search(ctx, "anything", rag.SearchOptions{})
	if _, err := ix.Search(context.Background(), "untraced", rag.SearchOptions{}); err != nil {
		t.Fatal(err)
	}

	if len(calls) != 3 {
		t.Fatalf("got %d traced searches, want 3 (search, the answer's retrieval, the empty index)", len(calls))
	}
	if calls[0].n != len(ps) || calls[0].err != nil || calls[0].took <= 0 {
		t.Errorf("first search traced as %+v, want %d passages, no error, a duration", calls[0], len(ps))
	}
	if !errors.Is(calls[2].err, rag.ErrEmptyIndex) || !errors.Is(emptyErr, rag.ErrEmptyIndex) || calls[2].n != 0 {
		t.Errorf("empty index traced as %+v, want ErrEmptyIndex", calls[2])
	}
}
