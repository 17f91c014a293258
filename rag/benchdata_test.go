package rag_test

// Benchmark data: a corpus of a requested number of chunks, built from the
// shared wiki passages when they are present and from synthetic text
// otherwise, plus questions to ask it. Nothing here runs in a plain
// `go test`: only benchmarks call it.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"citebot/corpus"
	"citebot/rag"
)

// benchArticlesEnv names a JSONL file of articles to build benchmark corpora
// from; by default the shared wiki passages, when present.
const benchArticlesEnv = "CITEBOT_BENCH_ARTICLES"

// defaultBenchArticles is the shared wiki passages, relative to this package.
var defaultBenchArticles = filepath.Join("..", "..", "shared", "eval", "wiki", "articles.jsonl")

// benchSizes are the corpus sizes, in chunks, of the scaling benchmarks.
// CITEBOT_BENCH_MAX_CHUNKS caps them (e.g. 10000 for a quick run); -short
// stops at 10k.
func benchSizes(b *testing.B) []int {
	limit := math.MaxInt
	if s := os.Getenv("CITEBOT_BENCH_MAX_CHUNKS"); s != "" {
		if _, err := fmt.Sscan(s, &limit); err != nil {
			b.Fatalf("CITEBOT_BENCH_MAX_CHUNKS=%q: %v", s, err)
		}
	}
	if testing.Short() {
		limit = min(limit, 10_000)
	}
	var out []int
	for _, n := range []int{1_000, 10_000, 100_000} {
		if n <= limit {
			out = append(out, n)
		}
	}
	return out
}

func sizeName(n int) string {
	if n%1000 == 0 {
		return fmt.Sprintf("chunks=%dk", n/1000)
	}
	return fmt.Sprintf("chunks=%d", n)
}

// passage is one source paragraph for the generated corpus.
type passage struct{ title, text string }

var (
	passagesOnce sync.Once
	passagesVal  []passage
	passagesSrc  string
)

// sourcePassages returns the wiki passages, or synthetic ones when the file
// is absent.
func sourcePassages(tb testing.TB) ([]passage, string) {
	passagesOnce.Do(func() {
		path := os.Getenv(benchArticlesEnv)
		if path == "" {
			path = defaultBenchArticles
		}
		f, err := os.Open(path)
		if err == nil {
			defer f.Close()
			arts, _, err := corpus.LoadJSONL(f, path)
			if err == nil && len(arts) > 0 {
				for _, a := range arts {
					passagesVal = append(passagesVal, passage{a.Title, a.Text})
				}
				passagesSrc = path
				return
			}
		}
		passagesVal = syntheticPassages(8000)
		passagesSrc = "synthetic"
	})
	return passagesVal, passagesSrc
}

// syntheticPassages makes n paragraphs of Zipf-distributed pseudo-words.
func syntheticPassages(n int) []passage {
	r := rand.New(rand.NewPCG(1, 2))
	syll := []string{"ka", "lo", "mi", "ren", "sa", "to", "vel", "an", "dor", "pe", "ri", "ston", "ba", "qui", "ne", "mar", "el", "sur", "ta", "gon"}
	vocab := make([]string, 20000)
	for i := range vocab {
		var sb strings.Builder
		for j := 0; j < 2+r.IntN(3); j++ {
			sb.WriteString(syll[r.IntN(len(syll))])
		}
		vocab[i] = sb.String()
	}
	zipf := rand.NewZipf(rand.New(rand.NewPCG(3, 4)), 1.1, 2, uint64(len(vocab)-1))
	sentence := func() string {
		words := make([]string, 8+r.IntN(18))
		for i := range words {
			words[i] = vocab[zipf.Uint64()]
		}
		words[0] = strings.ToUpper(words[0][:1]) + words[0][1:]
		if r.IntN(3) == 0 { // a name
			i := 1 + r.IntN(len(words)-1)
			words[i] = strings.ToUpper(words[i][:1]) + words[i][1:]
		}
		return strings.Join(words, " ") + "."
	}
	out := make([]passage, n)
	for i := range out {
		sents := make([]string, 2+r.IntN(5))
		for j := range sents {
			sents[j] = sentence()
		}
		title := strings.TrimSuffix(sentence(), ".")
		if f := strings.Fields(title); len(f) > 5 {
			title = strings.Join(f[:5], " ")
		}
		out[i] = passage{title, strings.Join(sents, " ")}
	}
	return out
}

var (
	articlesMu    sync.Mutex
	articlesCache = map[int][]corpus.Article{}
)

// benchArticles returns articles that split into exactly n chunks with the
// default chunker. Articles group up to six source paragraphs (a copy of the
// source per round, regrouped by a different shuffle each time, so repeated
// text meets other titles and neighbours), with publication dates spread
// over 2015–2024.
func benchArticles(tb testing.TB, n int) []corpus.Article {
	tb.Helper()
	articlesMu.Lock()
	defer articlesMu.Unlock()
	if a, ok := articlesCache[n]; ok {
		return a
	}
	src, _ := sourcePassages(tb)
	ch := rag.DefaultChunker()
	r := rand.New(rand.NewPCG(uint64(n), 7))
	var out []corpus.Article
	total := 0
	base := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	for round := 0; total < n; round++ {
		perm := r.Perm(len(src))
		for i := 0; i < len(perm) && total < n; {
			k := min(6, len(perm)-i)
			for ; k > 0; k-- {
				a := makeArticle(fmt.Sprintf("bench-%d-%d", round, i), src, perm[i:i+k], base.AddDate(0, 0, r.IntN(3650)))
				if c := len(ch.Split(a)); c > 0 && total+c <= n {
					out = append(out, a)
					total += c
					break
				}
			}
			i += max(k, 1)
		}
	}
	articlesCache[n] = out
	return out
}

func makeArticle(id string, src []passage, idx []int, pub time.Time) corpus.Article {
	paras := make([]string, len(idx))
	for j, p := range idx {
		paras[j] = src[p].text
	}
	return corpus.Article{
		ID: id, Title: src[idx[0]].title, Source: "Bench", Published: pub,
		Text: strings.Join(paras, "\n\n"), Origin: "bench",
	}
}

// benchQuestions returns questions to ask: the shared multi-hop questions
// when present, else questions made of corpus words.
func benchQuestions(tb testing.TB) []string {
	src, from := sourcePassages(tb)
	if from != "synthetic" {
		path := filepath.Join(filepath.Dir(from), "musique-qa.jsonl")
		if f, err := os.Open(path); err == nil {
			defer f.Close()
			var qs []string
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				var q struct{ Question string }
				if json.Unmarshal(sc.Bytes(), &q) == nil && q.Question != "" {
					qs = append(qs, q.Question)
				}
			}
			if len(qs) > 0 {
				return qs
			}
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	qs := make([]string, 100)
	for i := range qs {
		f := strings.Fields(src[r.IntN(len(src))].text)
		j := r.IntN(max(1, len(f)-6))
		qs[i] = "When did " + strings.Trim(strings.Join(f[j:min(len(f), j+6)], " "), ".,") + "?"
	}
	return qs
}

// vecEmbedder stands in for a model-backed embedder with precomputed
// vectors: every text gets a pseudo-random unit vector derived from its
// hash, so the same text always has the same vector. Queries get a random
// vector too.
type vecEmbedder struct{ dim int }

func (e vecEmbedder) Name() string { return fmt.Sprintf("bench-random-%d", e.dim) }

func (e vecEmbedder) EmbedDocuments(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = randomUnit(textSeed(t), e.dim)
	}
	return out, nil
}

func (e vecEmbedder) EmbedQuery(_ context.Context, text string) ([]float32, error) {
	return randomUnit(textSeed("query:"+text), e.dim), nil
}

func textSeed(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// randomUnit returns a unit vector of Gaussian components.
func randomUnit(seed uint64, dim int) []float32 {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	v := make([]float32, dim)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return rag.Normalize32(v)
}

// ctx returns a context for a benchmark.
func ctx() context.Context { return context.Background() }
