package rag_test

import (
	"fmt"
	"testing"
	"time"

	"citebot/corpus"
	"citebot/rag"
)

// filterBenchIndex returns a local-embedder index of n chunks whose
// articles have outlets: a quarter "Big", the rest spread over fifteen
// "Outlet-k" (5% each). The publication dates span 2015–2024.
func filterBenchIndex(b *testing.B, n int) *rag.Index {
	b.Helper()
	indexMu.Lock()
	defer indexMu.Unlock()
	key := fmt.Sprintf("outlets/%d", n)
	if ix, ok := indexCache[key]; ok {
		return ix
	}
	for k, ix := range indexCache {
		if ix.Len() >= 50_000 {
			delete(indexCache, k)
		}
	}
	src := benchArticles(b, n)
	arts := make([]corpus.Article, len(src))
	for i, a := range src {
		a.Source = "Big"
		if i%4 != 0 {
			a.Source = fmt.Sprintf("Outlet-%d", i%15)
		}
		arts[i] = a
	}
	ix := rag.NewIndex(rag.IndexOptions{Embedder: rag.NewLocalEmbedder(0)})
	if _, err := ix.Update(ctx(), arts, nil); err != nil {
		b.Fatal(err)
	}
	indexCache[key] = ix
	return ix
}

// BenchmarkSearchFilter measures Index.Search with filters of several
// selectivities against the same search without one ("x-unfiltered": the
// filtered time over the unfiltered time, measured in the same run).
func BenchmarkSearchFilter(b *testing.B) {
	year := func(y int) rag.Filter {
		return rag.Filter{Since: must(rag.ParsePeriod(fmt.Sprint(y))), Until: must(rag.ParsePeriod(fmt.Sprint(y)))}
	}
	for _, n := range benchSizes(b) {
		for _, tc := range []struct {
			name string
			f    rag.Filter
		}{
			{"none", rag.Filter{}},
			{"all-dated", rag.Filter{Since: must(rag.ParsePeriod("2015"))}},
			{"outlet-25pct", rag.Filter{Source: "big"}},
			{"year-10pct", year(2019)},
			{"outlet-5pct", rag.Filter{Source: "outlet-3"}},
			{"outlet-and-year-0.5pct", func() rag.Filter { f := year(2019); f.Source = "Outlet-3"; return f }()},
		} {
			b.Run(sizeName(n)+"/"+tc.name, func(b *testing.B) {
				ix := filterBenchIndex(b, n)
				qs := benchQuestions(b)
				search := func(i int, f rag.Filter) {
					_, err := ix.Search(ctx(), qs[i%len(qs)], rag.SearchOptions{K: searchK, Filter: f})
					if err != nil {
						b.Fatal(err)
					}
				}
				search(0, tc.f) // builds the outlet partition and caches the filter
				// Filtered and unfiltered searches alternate, so that the
				// ratio compares them under the same load; "x-unfiltered-cpu"
				// compares process CPU time, which other load moves less.
				var wall, wallBase, cpu, cpuBase time.Duration
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					t0, c0 := time.Now(), cpuTime()
					search(i, tc.f)
					t1, c1 := time.Now(), cpuTime()
					b.StopTimer()
					search(i, rag.Filter{})
					wall += t1.Sub(t0)
					cpu += c1 - c0
					wallBase += time.Since(t1)
					cpuBase += cpuTime() - c1
					b.StartTimer()
				}
				b.StopTimer()
				b.ReportMetric(float64(wall)/float64(wallBase), "x-unfiltered")
				b.ReportMetric(float64(cpu)/float64(cpuBase), "x-unfiltered-cpu")
				b.ReportMetric(float64(wallBase.Nanoseconds())/float64(b.N)/1e6, "unfiltered-ms/op")
			})
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
