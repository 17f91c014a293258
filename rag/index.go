package rag

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/philippgille/chromem-go"

	"citebot/corpus"
)

// ErrEmptyIndex is returned by searches on an index without articles.
var ErrEmptyIndex = errors.New("the index holds no articles")

// Index holds the chunks of a corpus in a chromem-go collection (vector
// search) and a BM25 lexicon (keyword search), and persists the embeddings
// to a single file so that unchanged articles are never embedded twice.
// It is safe for concurrent use: searches run in parallel, updates are
// serialised and exclude searches only while they swap in their result.
type Index struct {
	emb     Embedder
	chunker Chunker
	log     *slog.Logger

	updateMu sync.Mutex // serialises Update, Load and Save

	mu    sync.RWMutex
	db    *chromem.DB
	col   *chromem.Collection
	arts  map[string]*articleRec
	recs  []*chunkRec // lexicon document i is recs[i]
	byID  map[string]int
	lex   *lexicon
	pairs *pairLexicon
	vocab *vocabulary
	dim   int

	workers      int
	vectorWeight float64
	stored       map[string]storedArticle // loaded from disk, by article id; consumed by Update
}

type articleRec struct {
	art    corpus.Article
	hash   string
	chunks []*chunkRec
	terms  []uint32 // sorted distinct term ids of all chunks
}

type chunkRec struct {
	Chunk
	vec      []float32
	terms    []uint32 // title terms, then the text's
	titleLen int32
	sents    []sentRef
	artTerms []uint32 // the article's sorted distinct term ids, shared
}

// IndexOptions configures [NewIndex].
type IndexOptions struct {
	// Embedder embeds chunks and queries. Default: NewLocalEmbedder(0).
	Embedder Embedder
	// Chunker splits articles. Default: DefaultChunker().
	Chunker Chunker
	// Logger receives progress and warnings. Default: discard.
	Logger *slog.Logger
	// Workers bounds concurrent embedding batches. Default: GOMAXPROCS.
	Workers int
	// VectorWeight is the weight of embedding similarity against BM25 (1) in
	// retrieval. Default: 0.1 for the LocalEmbedder, whose hashed features
	// mostly repeat what BM25 sees, and 0.5 for model embedders, which add
	// meaning BM25 misses.
	VectorWeight float64
}

// NewIndex returns an empty index.
func NewIndex(opts IndexOptions) *Index {
	if opts.Embedder == nil {
		opts.Embedder = NewLocalEmbedder(0)
	}
	if opts.Chunker.MaxChars == 0 {
		opts.Chunker = DefaultChunker()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	ix := &Index{
		emb: opts.Embedder, chunker: opts.Chunker, log: opts.Logger,
		arts: map[string]*articleRec{}, byID: map[string]int{}, vocab: newVocabulary(),
		stored: map[string]storedArticle{},
	}
	ix.vectorWeight = opts.VectorWeight
	if ix.vectorWeight <= 0 {
		ix.vectorWeight = 0.5
		if _, local := opts.Embedder.(*LocalEmbedder); local {
			ix.vectorWeight = 0.1
		}
	}
	ix.workers = opts.Workers
	if ix.workers <= 0 {
		ix.workers = runtime.GOMAXPROCS(0)
	}
	ix.resetCollection()
	ix.lex = buildLexicon(ix.vocab, nil)
	return ix
}

// resetCollection replaces the vector collection with an empty one.
func (ix *Index) resetCollection() {
	ix.db = chromem.NewDB()
	col, err := ix.db.CreateCollection("chunks", nil, func(context.Context, string) ([]float32, error) {
		return nil, errors.New("citebot supplies embeddings; the collection never embeds")
	})
	if err != nil {
		panic(fmt.Sprintf("rag: create in-memory collection: %v", err)) // only fails on an empty name
	}
	ix.col = col
}

// Embedder returns the index's embedder.
func (ix *Index) Embedder() Embedder { return ix.emb }

// UpdateStats summarises an [Index.Update].
type UpdateStats struct {
	// Articles and Chunks count what the index holds afterwards.
	Articles, Chunks int
	// Added, Changed, Removed and Unchanged count articles by what happened.
	Added, Changed, Removed, Unchanged int
	// Embedded counts chunks embedded in this update; Reused those whose
	// vectors came from memory or the index file.
	Embedded, Reused int
	// Duration is the wall time of the update.
	Duration time.Duration
}

// Modified reports whether the update changed the index.
func (s UpdateStats) Modified() bool { return s.Added+s.Changed+s.Removed > 0 || s.Embedded > 0 }

// Progress is called during an update with the chunks embedded so far and
// the number to embed.
type Progress func(done, total int)

// Update makes the index hold exactly articles: articles it lacks are
// chunked and embedded, changed ones (by content hash) re-chunked and
// re-embedded, and removed ones deleted. Vectors loaded by [Index.Load] for
// an unchanged article are reused. progress may be nil. On error the index
// is unchanged.
func (ix *Index) Update(ctx context.Context, articles []corpus.Article, progress Progress) (UpdateStats, error) {
	ix.updateMu.Lock()
	defer ix.updateMu.Unlock()
	start := time.Now()
	var st UpdateStats

	ix.mu.RLock()
	current := ix.arts
	ix.mu.RUnlock()

	next := make(map[string]*articleRec, len(articles))
	var todo []*articleRec
	for _, a := range articles {
		if _, dup := next[a.ID]; dup {
			return st, fmt.Errorf("update index: duplicate article id %q", a.ID)
		}
		h := a.Hash()
		if cur, ok := current[a.ID]; ok && cur.hash == h {
			next[a.ID] = cur
			st.Unchanged++
			st.Reused += len(cur.chunks)
			continue
		}
		rec := &articleRec{art: a, hash: h}
		next[a.ID] = rec
		if _, ok := current[a.ID]; ok {
			st.Changed++
		} else {
			st.Added++
		}
		if s, ok := ix.stored[a.ID]; ok && s.Hash == h {
			if chunks, ok := s.restore(a); ok {
				rec.chunks = chunks
				st.Reused += len(chunks)
				if _, inMem := current[a.ID]; !inMem {
					st.Added--
					st.Unchanged++
				}
				continue
			}
		}
		for _, c := range ix.chunker.Split(a) {
			rec.chunks = append(rec.chunks, &chunkRec{Chunk: c})
		}
		todo = append(todo, rec)
	}
	for id := range current {
		if _, ok := next[id]; !ok {
			st.Removed++
		}
	}

	if err := ix.embed(ctx, todo, progress, &st); err != nil {
		return UpdateStats{}, err
	}

	// Term lists for new chunks (title terms first, a light field boost).
	for _, rec := range next {
		var title []uint32
		for _, c := range rec.chunks {
			if c.terms == nil {
				if title == nil {
					title = ix.vocab.intern(terms(rec.art.Title))
				}
				ix.analyzeChunk(c, title)
			}
		}
		if rec.terms == nil {
			rec.terms = articleTerms(rec.chunks)
			for _, c := range rec.chunks {
				c.artTerms = rec.terms
			}
		}
	}

	if err := ix.swap(ctx, next); err != nil {
		return UpdateStats{}, err
	}
	clear(ix.stored)
	st.Articles = len(next)
	ix.mu.RLock()
	st.Chunks = len(ix.recs)
	ix.mu.RUnlock()
	st.Duration = time.Since(start)
	return st, nil
}

// embed embeds the chunks of recs in batches, in parallel.
func (ix *Index) embed(ctx context.Context, recs []*articleRec, progress Progress, st *UpdateStats) error {
	var all []*chunkRec
	for _, r := range recs {
		all = append(all, r.chunks...)
	}
	if len(all) == 0 {
		return nil
	}
	const batch = 64
	type job struct{ from, to int }
	jobs := make(chan job)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
	)
	titles := make(map[string]string, len(recs))
	for _, r := range recs {
		titles[r.art.ID] = r.art.Title
	}
	for w := 0; w < ix.workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				texts := make([]string, 0, j.to-j.from)
				for _, c := range all[j.from:j.to] {
					texts = append(texts, embeddingText(titles[c.ArticleID], c.Text))
				}
				vecs, err := ix.emb.EmbedDocuments(ctx, texts)
				if err == nil && len(vecs) != len(texts) {
					err = fmt.Errorf("embedder returned %d vectors for %d texts", len(vecs), len(texts))
				}
				if err != nil {
					cancel(fmt.Errorf("embed chunks: %w", err))
					continue
				}
				for i, v := range vecs {
					if u := Normalize32(v); u != nil {
						v = u
					} else {
						cancel(fmt.Errorf("embed chunks: %s: embedder returned a zero or non-finite vector", all[j.from+i].ID))
						break
					}
					all[j.from+i].vec = v
				}
				mu.Lock()
				done += j.to - j.from
				if progress != nil {
					progress(done, len(all))
				}
				mu.Unlock()
			}
		}()
	}
	for from := 0; from < len(all) && ctx.Err() == nil; from += batch {
		select {
		case jobs <- job{from, min(from+batch, len(all))}:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	dim := len(all[0].vec)
	for _, c := range all {
		if len(c.vec) != dim {
			return fmt.Errorf("embed chunks: vectors of length %d and %d from one embedder", dim, len(c.vec))
		}
	}
	st.Embedded = len(all)
	return nil
}

// embeddingText is what gets embedded for a chunk: its article's title as
// context, then the passage.
func embeddingText(title, text string) string {
	if title == "" {
		return text
	}
	return title + "\n\n" + text
}

// swap replaces the index contents with next.
func (ix *Index) swap(ctx context.Context, next map[string]*articleRec) error {
	ids := make([]string, 0, len(next))
	for id := range next {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var recs []*chunkRec
	dim := 0
	for _, id := range ids {
		for _, c := range next[id].chunks {
			if dim == 0 {
				dim = len(c.vec)
			}
			if len(c.vec) != dim {
				return fmt.Errorf("update index: chunk %s has %d dimensions, others %d", c.ID, len(c.vec), dim)
			}
			recs = append(recs, c)
		}
	}
	docs := make([][]uint32, len(recs))
	byID := make(map[string]int, len(recs))
	for i, c := range recs {
		docs[i] = c.terms
		byID[c.ID] = i
	}
	lex := buildLexicon(ix.vocab, docs)
	pairs := buildPairLexicon(docs)

	ix.mu.Lock()
	defer ix.mu.Unlock()
	// Rebuild the collection when the dimension changes; otherwise apply
	// the difference.
	if dim != ix.dim && ix.col.Count() > 0 {
		ix.resetCollection()
	}
	var stale []string
	for id := range ix.byID {
		if j, ok := byID[id]; !ok || recs[j] != ix.recs[ix.byID[id]] {
			stale = append(stale, id)
		}
	}
	if len(stale) > 0 {
		if err := ix.col.Delete(ctx, nil, nil, stale...); err != nil {
			return fmt.Errorf("update index: %w", err)
		}
	}
	for i, c := range recs {
		if old, ok := ix.byID[c.ID]; ok && ix.recs[old] == recs[i] {
			continue
		}
		if err := ix.col.AddDocument(ctx, chromem.Document{ID: c.ID, Embedding: c.vec, Content: c.Text}); err != nil {
			return fmt.Errorf("update index: add %s: %w", c.ID, err)
		}
	}
	ix.arts, ix.recs, ix.byID, ix.lex, ix.pairs, ix.dim = next, recs, byID, lex, pairs, dim
	if tw, ok := ix.emb.(termWeighter); ok {
		tw.setTermWeights(lex.idf)
	}
	return nil
}

// Articles returns the indexed articles sorted by ID.
func (ix *Index) Articles() []corpus.Article {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := make([]corpus.Article, 0, len(ix.arts))
	for _, r := range ix.arts {
		out = append(out, r.art)
	}
	slices.SortFunc(out, func(a, b corpus.Article) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Article returns the indexed article with the given id.
func (ix *Index) Article(id string) (corpus.Article, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	r, ok := ix.arts[id]
	if !ok {
		return corpus.Article{}, false
	}
	return r.art, true
}

// Len returns the number of chunks.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.recs)
}
