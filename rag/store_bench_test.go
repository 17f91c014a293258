package rag_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/philippgille/chromem-go"

	"citebot/corpus"
	"citebot/rag"
)

// lastLoad remembers the load time of an index, so the chromem-go gob
// baseline that runs next can report itself as a multiple of it.
var lastLoad sync.Map // "emb/n" → float64 ns

// BenchmarkStore measures persistence, per embedder and size:
//
//   - save: Index.Save (write, fsync, rename); "file-bytes" is the file size.
//   - load: Index.Load alone (read and verify the file).
//   - open: what a restart does: NewIndex, Load, Update with the unchanged
//     corpus (vectors and term lists reused, lexicon and collections
//     rebuilt), ready to search.
//   - gob-export, gob-import: chromem-go's own export of the same
//     collections (DB.ExportToWriter / ImportFromReader, uncompressed), the
//     baseline; "x-load" is gob-import time over load time.
func BenchmarkStore(b *testing.B) {
	for _, emb := range []string{"local", "random-384", "random-1536"} {
		for _, n := range benchSizes(b) {
			key := emb + "/" + sizeName(n)
			b.Run(key+"/save", func(b *testing.B) {
				ix := benchIndex(b, emb, n)
				path := filepath.Join(b.TempDir(), "index.cbi")
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if err := ix.Save(path); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				fi, err := os.Stat(path)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(fi.Size()), "file-bytes")
				b.SetBytes(fi.Size())
			})
			b.Run(key+"/load", func(b *testing.B) {
				ix := benchIndex(b, emb, n)
				path := savedPath(b, key, ix)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if err := rag.NewIndex(rag.IndexOptions{Embedder: ix.Embedder()}).Load(path); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				lastLoad.Store(key, float64(b.Elapsed().Nanoseconds())/float64(b.N))
			})
			b.Run(key+"/open", func(b *testing.B) {
				ix := benchIndex(b, emb, n)
				path := savedPath(b, key, ix)
				arts := benchArticles(b, n)
				b.ResetTimer()
				cpu := cpuTime()
				defer func() { b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op") }()
				for i := 0; i < b.N; i++ {
					got := rag.NewIndex(rag.IndexOptions{Embedder: newEmbedder(b, emb)})
					if err := got.Load(path); err != nil {
						b.Fatal(err)
					}
					st, err := got.Update(ctx(), arts, nil)
					if err != nil {
						b.Fatal(err)
					}
					if st.Embedded != 0 {
						b.Fatalf("%d chunks embedded after a load", st.Embedded)
					}
				}
			})
			var gob []byte
			b.Run(key+"/gob-export", func(b *testing.B) {
				db := rag.ChromemDB(benchIndex(b, emb, n))
				var buf bytes.Buffer
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					buf.Reset()
					if err := db.ExportToWriter(&buf, false, ""); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				gob = buf.Bytes()
				b.ReportMetric(float64(len(gob)), "file-bytes")
				b.SetBytes(int64(len(gob)))
			})
			b.Run(key+"/gob-import", func(b *testing.B) {
				if gob == nil {
					b.Skip("needs the gob-export benchmark of the same run")
				}
				for i := 0; i < b.N; i++ {
					db := chromem.NewDB()
					if err := db.ImportFromReader(bytes.NewReader(gob), ""); err != nil {
						b.Fatal(err)
					}
				}
				if l, ok := lastLoad.Load(key); ok {
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/l.(float64), "x-load")
				}
			})
		}
	}
}

var (
	savedMu    sync.Mutex
	savedPaths = map[string]string{} // "emb/n" → file
	savedDir   string
)

// savedPath returns the file of the benchmark index key, saved once per
// process in a directory TestMain removes.
func savedPath(b *testing.B, key string, ix *rag.Index) string {
	savedMu.Lock()
	defer savedMu.Unlock()
	if p, ok := savedPaths[key]; ok {
		return p
	}
	if savedDir == "" {
		dir, err := os.MkdirTemp("", "citebot-bench-")
		if err != nil {
			b.Fatal(err)
		}
		savedDir = dir
	}
	p := filepath.Join(savedDir, strings.ReplaceAll(key, "/", "-")+".cbi")
	if err := ix.Save(p); err != nil {
		b.Fatal(err)
	}
	savedPaths[key] = p
	return p
}

func TestMain(m *testing.M) {
	code := m.Run()
	if savedDir != "" {
		os.RemoveAll(savedDir)
	}
	os.Exit(code)
}

// BenchmarkMemory builds an index (and, after saving it, opens it again)
// and reports memory: "index-heap-MB" is the live heap the index holds
// after a GC, "build-peak-MB" and "open-peak-MB" the most heap in use while
// indexing and while loading (sampled every 2 ms), "VmHWM-MB" the peak
// resident size of the process so far (meaningful when this benchmark runs
// alone: -bench Memory/<name>). Run with -benchtime=1x.
func BenchmarkMemory(b *testing.B) {
	for _, emb := range []string{"local", "random-384", "random-1536"} {
		for _, n := range benchSizes(b) {
			b.Run(emb+"/"+sizeName(n), func(b *testing.B) {
				arts := benchArticles(b, n)
				dir := b.TempDir()
				for i := 0; i < b.N; i++ {
					indexMu.Lock()
					clear(indexCache)
					indexMu.Unlock()
					base := liveHeap()
					var ix *rag.Index
					buildPeak := peakHeap(func() {
						ix = rag.NewIndex(rag.IndexOptions{Embedder: newEmbedder(b, emb)})
						if _, err := ix.Update(ctx(), arts, nil); err != nil {
							b.Fatal(err)
						}
					})
					held := liveHeap() - base
					path := filepath.Join(dir, "index.cbi")
					if err := ix.Save(path); err != nil {
						b.Fatal(err)
					}
					ix = nil
					base = liveHeap()
					openPeak := peakHeap(func() {
						ix = rag.NewIndex(rag.IndexOptions{Embedder: newEmbedder(b, emb)})
						if err := ix.Load(path); err != nil {
							b.Fatal(err)
						}
						if _, err := ix.Update(ctx(), arts, nil); err != nil {
							b.Fatal(err)
						}
					})
					runtime.KeepAlive(ix)
					b.ReportMetric(float64(held)/1e6, "index-heap-MB")
					b.ReportMetric(float64(buildPeak-base)/1e6, "build-peak-MB")
					b.ReportMetric(float64(openPeak-base)/1e6, "open-peak-MB")
					b.ReportMetric(float64(vmHWM())/1e6, "VmHWM-MB")
				}
			})
		}
	}
}

// liveHeap returns the bytes of heap in use after a full GC.
func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}

// peakHeap runs f and returns the most heap in use seen while it ran.
func peakHeap(f func()) int64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	var peak atomic.Int64
	read := func() {
		metrics.Read(sample)
		peak.Store(max(peak.Load(), int64(sample[0].Value.Uint64()+sample[1].Value.Uint64())))
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				read()
			}
		}
	}()
	f()
	read()
	close(stop)
	<-done
	return peak.Load()
}

// vmHWM returns the peak resident set size of the process, or 0 where
// /proc is not available.
func vmHWM() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// BenchmarkStartup measures start-up to the first answer on the shipped
// corpus, as `citebot ask` does it (minus process start): load the corpus,
// open the index in a data directory, bring it up to date, answer. "warm"
// finds an up-to-date index file; "cold" an empty data directory, so it
// embeds the corpus and saves the file.
func BenchmarkStartup(b *testing.B) {
	q := rag.Query{Question: "when did Biden and Xi last speak?"}
	open := func(b *testing.B, dir string) {
		arts, err := corpus.Shipped()
		if err != nil {
			b.Fatal(err)
		}
		ix := rag.NewIndex(rag.IndexOptions{})
		path := filepath.Join(dir, "shipped.cbi")
		if err := ix.Load(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			b.Fatal(err)
		}
		st, err := ix.Update(ctx(), arts, nil)
		if err != nil {
			b.Fatal(err)
		}
		if st.Modified() {
			if err := ix.Save(path); err != nil {
				b.Fatal(err)
			}
		}
		ans, err := rag.NewExtractive(ix).Answer(ctx(), q)
		if err != nil || ans.NotFound {
			b.Fatalf("answer %+v, %v", ans, err)
		}
	}
	b.Run("warm", func(b *testing.B) {
		dir := b.TempDir()
		open(b, dir)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			open(b, dir)
		}
	})
	b.Run("cold", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			open(b, b.TempDir())
		}
	})
}

// BenchmarkAnswerShipped measures one question to one answer on the
// shipped corpus, after start-up.
func BenchmarkAnswerShipped(b *testing.B) {
	arts, err := corpus.Shipped()
	if err != nil {
		b.Fatal(err)
	}
	ix := rag.NewIndex(rag.IndexOptions{})
	if _, err := ix.Update(ctx(), arts, nil); err != nil {
		b.Fatal(err)
	}
	ex := rag.NewExtractive(ix)
	qs := []string{
		"when did Biden and Xi last speak?", "where did Biden and Xi meet in November 2023?",
		"why did Biden seek a call with Xi in 2023?", "what did Xi say about Taiwan?",
		"who is the national security adviser?", "how long did the Woodside meeting last?",
	}
	benchAnswers(b, ex, qs)
}

// BenchmarkCorpusLoad measures what a restart does before the index is
// opened: corpus.LoadJSONL of the benchmark corpus written as a JSONL file
// (parsing and cleaning every article). A restart costs this plus
// Store/…/open.
func BenchmarkCorpusLoad(b *testing.B) {
	for _, n := range benchSizes(b) {
		b.Run(sizeName(n), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "articles.jsonl")
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			for _, a := range benchArticles(b, n) {
				enc.Encode(map[string]string{"id": a.ID, "title": a.Title, "source": a.Source, "published": a.PublishedString(), "text": a.Text})
			}
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(buf.Len()))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				arts, _, err := corpus.LoadJSONL(f, path)
				f.Close()
				if err != nil || len(arts) == 0 {
					b.Fatalf("%d articles, %v", len(arts), err)
				}
			}
		})
	}
}
