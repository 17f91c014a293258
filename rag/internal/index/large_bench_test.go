//go:build unix

package index_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"citebot/corpus"
	"citebot/rag/internal/index"
)

// The large-corpus benchmarks are opt-in: they load the corpus that
// scripts/bench-large.sh builds (go run ./scripts/bigcorpus) and its index
// file, which they write on the first run:
//
//	CITEBOT_BENCH_LARGE=/tmp/big.jsonl CITEBOT_BENCH_LARGE_INDEX=/tmp/big.cbi \
//	CITEBOT_BENCH_LARGE_QA=../shared/eval/news-dev/qa.jsonl \
//	go test ./rag/internal/index -run '^$' -bench Large -benchtime 20x
//
// Go's own -cpuprofile and -memprofile flags then show where a question's
// search time and the loaded index's memory go.

// largeIndex is the index of the large corpus, loaded once per process.
var largeIndex = sync.OnceValues(func() (*index.Index, error) {
	ctx := context.Background()
	arts, _, err := corpus.LoadJSONLFile(ctx, os.Getenv("CITEBOT_BENCH_LARGE"))
	if err != nil {
		return nil, err
	}
	path := os.Getenv("CITEBOT_BENCH_LARGE_INDEX")
	ix := index.NewIndex(index.IndexOptions{})
	if path != "" {
		_ = ix.LoadContext(ctx, path) // a missing or stale file is rebuilt
	}
	st, err := ix.Update(ctx, arts, nil)
	if err != nil {
		return nil, err
	}
	if path != "" && st.Modified() {
		err = ix.Save(path)
	}
	return ix, err
})

// largeSetup returns the large index and its benchmark questions (the
// first 20 of CITEBOT_BENCH_LARGE_QA, as bench-large.sh asks), or skips.
func largeSetup(b *testing.B) (*index.Index, []largeQuestion) {
	b.Helper()
	if os.Getenv("CITEBOT_BENCH_LARGE") == "" || os.Getenv("CITEBOT_BENCH_LARGE_QA") == "" {
		b.Skip("set CITEBOT_BENCH_LARGE, CITEBOT_BENCH_LARGE_INDEX and CITEBOT_BENCH_LARGE_QA")
	}
	ix, err := largeIndex()
	if err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(os.Getenv("CITEBOT_BENCH_LARGE_QA"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var qs []largeQuestion
	for sc := bufio.NewScanner(f); sc.Scan() && len(qs) < 20; {
		var q largeQuestion
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			b.Fatal(err)
		}
		qs = append(qs, q)
	}
	return ix, qs
}

type largeQuestion struct {
	Question string `json:"question"`
	AsOf     string `json:"as_of"`
}

// BenchmarkLargeSearch measures one search of a news question over the
// large corpus as the extractive answerer asks it (K 8, before the
// question's date): with vectors, over the vectors split into several shard
// counts (the default for 192,328 passages, 4 copies, is 64), and with
// keywords only. It reports the CPU time of a search ("cpu-ns/op", steadier
// than wall time on a shared machine) and the live heap of the loaded index
// ("heap-MB").
func BenchmarkLargeSearch(b *testing.B) {
	ix, qs := largeSetup(b)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	search := func(b *testing.B, keywords bool) {
		cpu := cpuTime()
		for i := 0; i < b.N; i++ {
			q := qs[i%len(qs)]
			asOf, _ := time.Parse(time.DateOnly, q.AsOf)
			opts := index.SearchOptions{K: 8, Before: asOf, KeywordsOnly: keywords}
			if _, err := ix.Search(context.Background(), q.Question, opts); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(ms.HeapAlloc)/1e6, "heap-MB")
	}
	b.Run("keywords", func(b *testing.B) { search(b, true) })
	for _, shards := range []int{8, 64, 256, 512} {
		got := index.Reshard(ix, (ix.Len()+shards-1)/shards, shards)
		b.Run(fmt.Sprintf("vectors/shards=%d", got), func(b *testing.B) { search(b, false) })
	}
}

// cpuTime returns the CPU time the process has used, steadier than wall
// time on a shared machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
