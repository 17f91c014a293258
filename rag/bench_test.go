package rag_test

// Scaling benchmarks. Run them all with
//
//	go test ./rag -run '^$' -bench . -benchmem -timeout 60m
//
// See docs/performance.md for the figures and what they mean. The corpora
// come from benchdata_test.go; indexes are built once per process and
// shared by the benchmarks that only read them.

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/philippgille/chromem-go"

	"citebot/rag"
)

var (
	indexMu    sync.Mutex
	indexCache = map[string]*rag.Index{}
)

// benchIndex returns an index of n chunks embedded by emb ("local",
// "random-384" or "random-1536"), building it on first use.
func benchIndex(b *testing.B, emb string, n int) *rag.Index {
	b.Helper()
	indexMu.Lock()
	defer indexMu.Unlock()
	key := fmt.Sprintf("%s/%d", emb, n)
	if ix, ok := indexCache[key]; ok {
		return ix
	}
	// Keep one large index at a time: a 100k × 1536 index is 600 MB.
	for k, ix := range indexCache {
		if ix.Len() >= 50_000 {
			delete(indexCache, k)
		}
	}
	runtime.GC()
	ix := rag.NewIndex(rag.IndexOptions{Embedder: newEmbedder(b, emb)})
	arts := benchArticles(b, n)
	start := time.Now()
	st, err := ix.Update(ctx(), arts, nil)
	if err != nil {
		b.Fatal(err)
	}
	if st.Chunks != n {
		b.Fatalf("built %d chunks, want %d", st.Chunks, n)
	}
	b.Logf("built %s index of %d chunks in %v", emb, n, time.Since(start).Round(time.Millisecond))
	indexCache[key] = ix
	return ix
}

func newEmbedder(b *testing.B, name string) rag.Embedder {
	switch name {
	case "local":
		return rag.NewLocalEmbedder(0)
	case "random-384":
		return vecEmbedder{384}
	case "random-1536":
		return vecEmbedder{1536}
	}
	b.Fatalf("unknown embedder %q", name)
	return nil
}

// searchK is what the extractive answerer asks for (8 passages, so 64
// candidates from each side).
const (
	searchK    = 8
	candidates = 64
)

// BenchmarkSearch measures retrieval of one question (BM25 + vector
// candidates, fusion, selection) and, in the same run, a brute-force scan
// of the same vectors on all cores: "scan-ns/op" with the naive loop
// chromem-go uses ("scan1-ns/op": the same loop on one goroutine),
// "floor-ns/op" with an unrolled loop that runs at memory speed. "x-scan",
// "x-scan1" and "x-floor" are search time over each; "vector-ns/op" is the
// chromem-go part of the search alone.
func BenchmarkSearch(b *testing.B) {
	for _, emb := range []string{"local", "random-384", "random-1536"} {
		for _, n := range benchSizes(b) {
			b.Run(emb+"/"+sizeName(n), func(b *testing.B) {
				ix := benchIndex(b, emb, n)
				qs := benchQuestions(b)
				e := ix.Embedder()
				qvecs := make([][]float32, len(qs))
				for i, q := range qs {
					v, err := e.EmbedQuery(ctx(), q)
					if err != nil || v == nil {
						b.Fatalf("embed %q: %v", q, err)
					}
					qvecs[i] = v
				}
				b.ReportAllocs()
				b.ResetTimer()
				cpu := cpuTime()
				for i := 0; i < b.N; i++ {
					if _, err := ix.Search(ctx(), qs[i%len(qs)], rag.SearchOptions{K: searchK}); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
				perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
				flat := flatten(rag.VectorsOf(ix))
				reps := max(b.N, 3)
				timeIt := func(f func(i int)) float64 {
					start := time.Now()
					for i := 0; i < reps; i++ {
						f(i)
					}
					return float64(time.Since(start).Nanoseconds()) / float64(reps)
				}
				vec := timeIt(func(i int) {
					if _, _, err := rag.VectorCandidates(ctx(), ix, qvecs[i%len(qvecs)], candidates); err != nil {
						b.Fatal(err)
					}
				})
				naive := timeIt(func(i int) { rawScan(qvecs[i%len(qvecs)], flat, candidates, dotNaive) })
				naive1 := timeIt(func(i int) { rawScanOn(1, qvecs[i%len(qvecs)], flat, candidates, dotNaive) })
				floor := timeIt(func(i int) { rawScan(qvecs[i%len(qvecs)], flat, candidates, dotUnrolled) })
				b.ReportMetric(vec, "vector-ns/op")
				b.ReportMetric(naive, "scan-ns/op")
				b.ReportMetric(naive1, "scan1-ns/op")
				b.ReportMetric(perOp/naive, "x-scan")
				b.ReportMetric(perOp/naive1, "x-scan1")
				b.ReportMetric(floor, "floor-ns/op")
				b.ReportMetric(perOp/floor, "x-floor")
				b.ReportMetric(vec/floor, "vector-x-floor")
				b.ReportMetric(float64(len(flat.data)*4)/floor, "floor-GB/s")
			})
		}
	}
}

// BenchmarkAnswer measures the extractive answerer: retrieval plus
// sentence scoring and rendering.
func BenchmarkAnswer(b *testing.B) {
	for _, n := range benchSizes(b) {
		b.Run(sizeName(n), func(b *testing.B) {
			ix := benchIndex(b, "local", n)
			qs := benchQuestions(b)
			benchAnswers(b, rag.NewExtractive(ix), qs)
		})
	}
}

// benchAnswers times ex answering the questions qs in turn, b.N answers
// in all.
func benchAnswers(b *testing.B, ex *rag.Extractive, qs []string) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ex.Answer(ctx(), rag.Query{Question: qs[i%len(qs)]}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdate measures indexing from scratch with the local embedder
// on all cores: chunking, tokenising, embedding, the BM25 lexicon and the
// chromem-go collection.
func BenchmarkUpdate(b *testing.B) {
	for _, n := range benchSizes(b) {
		b.Run(sizeName(n), func(b *testing.B) {
			arts := benchArticles(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			cpu := cpuTime()
			for i := 0; i < b.N; i++ {
				ix := rag.NewIndex(rag.IndexOptions{})
				st, err := ix.Update(ctx(), arts, nil)
				if err != nil {
					b.Fatal(err)
				}
				if st.Chunks != n {
					b.Fatalf("got %d chunks, want %d", st.Chunks, n)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "chunks/s")
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkVectorShards measures the chromem-go half of retrieval alone
// for different shard sizes, next to the brute-force floor: the data
// behind the shardSize default.
func BenchmarkVectorShards(b *testing.B) {
	for _, n := range benchSizes(b) {
		if n < 10_000 {
			continue
		}
		for _, size := range []int{1 << 30, 8192, 4096, 2048, 1024, 512} {
			b.Run(fmt.Sprintf("%s/shard=%d", sizeName(n), min(size, n)), func(b *testing.B) {
				ix := benchIndex(b, "random-384", n)
				shards := rag.Reshard(ix, size, 256)
				q := randomUnit(99, 384)
				b.ResetTimer()
				cpu := cpuTime()
				for i := 0; i < b.N; i++ {
					if _, _, err := rag.VectorCandidates(ctx(), ix, q, candidates); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
				perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
				flat := flatten(rag.VectorsOf(ix))
				start := time.Now()
				for i := 0; i < max(b.N, 3); i++ {
					rawScan(q, flat, candidates, dotUnrolled)
				}
				floor := float64(time.Since(start).Nanoseconds()) / float64(max(b.N, 3))
				b.ReportMetric(float64(shards), "shards")
				b.ReportMetric(perOp/floor, "x-floor")
			})
		}
	}
}

// BenchmarkChromemOverhead measures what chromem-go spends per document
// apart from the dot product: the same query over 1-dimensional vectors,
// in one collection and in 64 queried two at a time (as the index does).
// "cpu-ns/doc" is CPU time per document.
func BenchmarkChromemOverhead(b *testing.B) {
	for _, n := range benchSizes(b) {
		for _, shards := range []int{1, 64} {
			b.Run(fmt.Sprintf("%s/shards=%d", sizeName(n), shards), func(b *testing.B) {
				db := chromem.NewDB()
				cols := make([]*chromem.Collection, shards)
				for s := range cols {
					c, err := db.CreateCollection(fmt.Sprint(s), nil, nil)
					if err != nil {
						b.Fatal(err)
					}
					cols[s] = c
				}
				for i := 0; i < n; i++ {
					doc := chromem.Document{ID: fmt.Sprint(i), Embedding: []float32{1}, Content: "x"}
					if err := cols[i%shards].AddDocument(ctx(), doc); err != nil {
						b.Fatal(err)
					}
				}
				q := []float32{1}
				b.ResetTimer()
				cpu := cpuTime()
				for i := 0; i < b.N; i++ {
					var next atomic.Int64
					var wg sync.WaitGroup
					for range min(2, shards) {
						wg.Add(1)
						go func() {
							defer wg.Done()
							for s := int(next.Add(1)) - 1; s < shards; s = int(next.Add(1)) - 1 {
								if _, err := cols[s].QueryEmbedding(ctx(), q, min(candidates, cols[s].Count()), nil, nil); err != nil {
									b.Error(err)
								}
							}
						}()
					}
					wg.Wait()
				}
				b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/float64(n), "cpu-ns/doc")
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/doc")
			})
		}
	}
}
