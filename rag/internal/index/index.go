package index

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/philippgille/chromem-go"

	"citebot/corpus"
	"citebot/rag/events"
	"citebot/rag/internal/analysis"
	"citebot/rag/internal/bm25"
	"citebot/rag/internal/chunk"
	"citebot/rag/internal/embed"
	dictionary "citebot/rag/internal/english"
	"citebot/rag/internal/indexfile"
)

// ErrEmptyIndex is returned by searches on an index without articles.
var ErrEmptyIndex = errors.New("the index holds no articles")

// Index holds the chunks of a corpus in chromem-go collections (vector
// search; the chunks are spread over up to 512 collections that a query
// scans side by side) and a BM25 lexicon (keyword search), and persists
// the embeddings and term lists to a single file so that unchanged articles
// are never embedded or tokenised twice. It is safe for concurrent use:
// searches run in parallel, updates are serialised and exclude searches
// only while they swap in their result.
type Index struct {
	emb     embed.Embedder
	chunker chunk.Chunker
	log     *slog.Logger

	updateMu sync.Mutex // serialises Update, Load and Save

	mu     sync.RWMutex
	db     *chromem.DB
	shards []*chromem.Collection // chunk c is in shards[c.shard(len(shards))]
	built  *shardBuild           // fills shards: wait for it before using them
	gen    int                   // names new collections apart from the ones they replace
	arts   map[string]*articleRec
	recs   []*chunkRec // lexicon document i is recs[i]
	nos    *chunkNos   // the numbers of recs by chunk id
	lex    *bm25.Lexicon
	artLex *bm25.Lexicon // BM25 over whole articles: document k is the article numbered k
	vocab  *bm25.Vocabulary
	dim    int

	newest time.Time // the latest publication date of the articles

	parts atomic.Pointer[outletPartition] // for filters; see filter.go

	workers      int
	vectorWeight float64
	lexicalFirst bool                     // see lexicalDecides
	scans        atomic.Int64             // vector queries sent to chromem-go, for tests
	stored       map[string]storedArticle // loaded from disk, by article id; consumed by Update
	storedLex    *storedLexicons          // loaded from disk with stored; consumed by Update
	fileShards   int                      // shard count of the loaded file, which its vectors are ordered by
	// vectorsInMemory and scratchDir are the IndexOptions fields.
	vectorsInMemory bool
	scratchDir      string
}

// chunkNos maps the ids of an index generation's chunks to their numbers
// (places in Index.recs), made on first use: only vector hits, which
// chromem-go returns by id, need it, and at a million passages it takes
// half a second to make.
type chunkNos struct {
	once sync.Once
	m    map[string]int
}

// of returns the number of chunk id among recs, the generation's chunks.
func (n *chunkNos) of(recs []*chunkRec, id string) (int, bool) {
	n.once.Do(func() {
		n.m = make(map[string]int, len(recs))
		for i, c := range recs {
			n.m[c.id()] = i
		}
	})
	i, ok := n.m[id]
	return i, ok
}

type articleRec struct {
	no     int // number of the article in artLex
	art    corpus.Article
	hash   string
	chunks []*chunkRec
	terms  atomic.Pointer[[]uint32]       // sorted distinct term ids of all chunks, made on first use
	events atomic.Pointer[[]events.Event] // dated events, made on first use
	// isDigest caches digest(): 0 not worked out yet, digestNo, digestYes.
	isDigest atomic.Int32
	// file keeps the mapped index file the chunks' term lists lie in
	// alive (see decodeTermLists); nil when they are in memory.
	file *indexfile.Mapping
}

// eventList returns the article's dated events (see package events), working
// them out on first use. Safe for concurrent use.
func (r *articleRec) eventList() []events.Event {
	if p := r.events.Load(); p != nil {
		return *p
	}
	evs := eventsOf(r.art)
	r.events.Store(&evs)
	return evs
}

// eventsOf extracts the dated events of an article, sentence by sentence.
func eventsOf(a corpus.Article) []events.Event {
	var spans []events.Span
	for _, sp := range analysis.SplitSentences(a.Text) {
		spans = append(spans, events.Span{Start: sp.Start, End: sp.End})
	}
	return events.Extract(a, spans)
}

// A chunkRec is a passage of the index. It holds what no other record
// does: a million of them are built at every start, so each is small
// (88 bytes on 64-bit systems, five pointers for the garbage collector to
// follow); its id, text and metadata come from its article (see chunk).
type chunkRec struct {
	art *articleRec
	// seq numbers the article's chunks from 0; start and end are the
	// byte offsets of the chunk in the article's text.
	seq, start, end int32
	// vec is the chunk's unit vector: its own allocation, or its place
	// in its shard's block (see placeVectors).
	vec   []float32
	terms []uint32 // the title's term ids, then the text's
	// file keeps the mapping vec points into alive (see
	// indexfile.Mapping): the index file's, or a scratch file's while
	// embedding (IndexOptions.ScratchDir); nil when vec is in memory the
	// index allocated.
	file  *indexfile.Mapping
	sents atomic.Pointer[chunkSentences] // made on first use
}

// newChunkRec returns the record of c, a chunk of r's article.
func newChunkRec(r *articleRec, c chunk.Chunk) *chunkRec {
	return &chunkRec{art: r, seq: int32(c.Seq), start: int32(c.Start), end: int32(c.End)}
}

// text returns the chunk's text.
func (c *chunkRec) text() string { return c.art.art.Text[c.start:c.end] }

// articleID returns the id of the chunk's article.
func (c *chunkRec) articleID() string { return c.art.art.ID }

// id returns the chunk's id, "<article id>#<seq>" (a new string).
func (c *chunkRec) id() string { return c.art.art.ID + "#" + strconv.Itoa(int(c.seq)) }

// chunk returns the chunk as package chunk has it.
func (c *chunkRec) chunk() chunk.Chunk {
	a := &c.art.art
	return chunk.Chunk{
		ID: c.id(), ArticleID: a.ID, Title: a.Title, Published: a.Published,
		Seq: int(c.seq), Start: int(c.start), End: int(c.end), Text: c.text(),
	}
}

// shard returns the shard of the chunk among n: shardOf its id.
func (c *chunkRec) shard(n int) int { return shardOfChunk(c.art.art.ID, int(c.seq), n) }

// IndexOptions configures [NewIndex].
type IndexOptions struct {
	// Embedder embeds chunks and queries. Default: embed.NewLocalEmbedder(0).
	Embedder embed.Embedder
	// Chunker splits articles. Default: chunk.DefaultChunker().
	Chunker chunk.Chunker
	// Logger receives progress and warnings. Default: discard.
	Logger *slog.Logger
	// Workers bounds the goroutines that chunk, tokenise and embed articles
	// (and so the concurrent batches sent to a model-backed embedder).
	// Default: GOMAXPROCS.
	Workers int
	// VectorWeight is the weight of embedding similarity against BM25 (1) in
	// retrieval. Default: 0.1 for the LocalEmbedder, whose hashed features
	// mostly repeat what BM25 sees, and 0.5 for model embedders, which add
	// meaning BM25 misses. With the LocalEmbedder at 0.1 or less, a search
	// whose words fill its candidate pool skips the scan of all vectors.
	VectorWeight float64
	// VectorsInMemory makes [Index.Load] read the index file's vectors into
	// memory. By default (false) they stay where they lie in the file,
	// memory-mapped (see indexfile.Mapping), on unix systems whose float32s
	// are little-endian as in the file; elsewhere they are always read.
	// Mapped, the vectors (3 GB at 1.5 million passages of 512 dimensions)
	// are not part of the process's own memory: the kernel keeps them in
	// the page cache while memory allows.
	VectorsInMemory bool
	// ScratchDir, when set, is where an update keeps the vectors it embeds
	// (64 MB of them or more), on Linux: in a file removed as soon as it is
	// made and mapped into memory, which the kernel writes out under memory
	// pressure instead of holding it all, as it would the process's own
	// memory. It needs free disk space for the vectors (2 KB a passage at
	// 512 dimensions) besides the index file. Default "": in memory. The
	// vectors move to the index file once it is saved and mapped (see
	// [Index.MapFile]).
	ScratchDir string
}

// localVectorWeight is the default VectorWeight of the LocalEmbedder.
const localVectorWeight = 0.1

// NewIndex returns an empty index.
func NewIndex(opts IndexOptions) *Index {
	if opts.Embedder == nil {
		opts.Embedder = embed.NewLocalEmbedder(0)
	}
	if opts.Chunker.MaxChars == 0 {
		opts.Chunker = chunk.DefaultChunker()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	ix := &Index{
		emb: opts.Embedder, chunker: opts.Chunker, log: opts.Logger,
		arts: map[string]*articleRec{}, nos: &chunkNos{}, vocab: bm25.NewVocabulary(), built: builtShards(),
		stored: map[string]storedArticle{},
	}
	_, local := opts.Embedder.(*embed.LocalEmbedder)
	ix.vectorWeight = opts.VectorWeight
	if ix.vectorWeight <= 0 {
		ix.vectorWeight = 0.5
		if local {
			ix.vectorWeight = localVectorWeight
		}
	}
	ix.lexicalFirst = local && ix.vectorWeight <= localVectorWeight
	ix.workers = opts.Workers
	ix.vectorsInMemory = opts.VectorsInMemory
	ix.scratchDir = opts.ScratchDir
	if ix.workers <= 0 {
		ix.workers = runtime.GOMAXPROCS(0)
	}
	ix.db = chromem.NewDB()
	ix.lex = bm25.Build(ix.vocab, nil, 1)
	ix.artLex = ix.lex
	return ix
}

// Embedder returns the index's embedder.
func (ix *Index) Embedder() embed.Embedder { return ix.emb }

// UpdateStats summarises an [Index.Update].
type UpdateStats struct {
	// Articles and Chunks count what the index holds afterwards.
	Articles, Chunks int
	// Added, Changed, Removed and Unchanged count articles by what happened.
	Added, Changed, Removed, Unchanged int
	// Embedded counts chunks embedded in this update; Reused those whose
	// vectors came from memory or the index file.
	Embedded, Reused int
	// Retokenized counts chunks reused from the index file whose BM25 term
	// lists had to be rebuilt from their text, because the file has none
	// (an older format) or was written with another tokenizer. Saving the
	// index spares the next start that work.
	Retokenized int
	// Resharded reports that the vectors were regrouped into another
	// number of shards than the index file's (a corpus that grew or shrank
	// much, or a file written by a version with other shard sizes): saving
	// the file spares the next start that work.
	Resharded bool
	// LexiconsRebuilt reports that an index loaded whole, every article
	// unchanged, built its BM25 lexicons from the term lists because the
	// index file has none (a version 2 file): saving the file spares the
	// next start that work.
	LexiconsRebuilt bool
	// Duration is the wall time of the update.
	Duration time.Duration
}

// Modified reports whether the update changed the index, or found the
// index file outdated (see Retokenized, Resharded and LexiconsRebuilt):
// either way the file
// should be saved again.
func (s UpdateStats) Modified() bool {
	return s.Added+s.Changed+s.Removed > 0 || s.Embedded > 0 || s.Retokenized > 0 || s.Resharded || s.LexiconsRebuilt
}

// Progress is called during an update with the chunks embedded so far and
// the number to embed.
type Progress func(done, total int)

// Update makes the index hold exactly articles: articles it lacks are
// chunked and embedded, changed ones (by content hash) re-chunked and
// re-embedded, and removed ones deleted. Vectors loaded by [Index.Load] for
// an unchanged article are reused. progress may be nil. On error the index
// is unchanged.
//
// Hashing, chunking, tokenising and local embedding run on Workers
// goroutines; searches are excluded only while the result is swapped in.
func (ix *Index) Update(ctx context.Context, articles []corpus.Article, progress Progress) (UpdateStats, error) {
	return ix.UpdateHashed(ctx, articles, nil, progress)
}

// UpdateHashed is [Index.Update] told each article's hash: hashes[i] is
// articles[i].Hash(), as a corpus snapshot records it
// ([corpus.Snapshot]). An unchanged article's text is then not read,
// which at a million passages is most of a start's reading. With nil
// hashes it is Update; hashes of another length than articles are an
// error. A hash that is not the article's may leave it indexed as it
// was.
func (ix *Index) UpdateHashed(ctx context.Context, articles []corpus.Article, hashes []string, progress Progress) (UpdateStats, error) {
	if hashes != nil && len(hashes) != len(articles) {
		return UpdateStats{}, fmt.Errorf("update index: %d hashes for %d articles", len(hashes), len(articles))
	}
	ix.updateMu.Lock()
	defer ix.updateMu.Unlock()
	start := time.Now()
	var st UpdateStats

	ix.mu.RLock()
	current := ix.arts
	ix.mu.RUnlock()

	next, todo, restored, err := ix.sortArticles(articles, hashes, current, &st)
	if err != nil {
		return st, err
	}
	ix.forEach(len(todo), func(i int) {
		r := todo[i]
		for _, c := range ix.chunker.Split(r.art) {
			r.chunks = append(r.chunks, newChunkRec(r, c))
		}
	})
	blocks := ix.placeVectors(next, todo)
	if err := ix.embed(ctx, todo, blocks, progress, &st); err != nil {
		return UpdateStats{}, err
	}
	if err := ix.completeTerms(ctx, next, restored, &st); err != nil {
		return UpdateStats{}, err
	}

	fileShards := ix.fileShards
	whole := len(current) == 0 && len(todo) == 0 && len(next) > 0 && len(restored) == len(next) &&
		len(ix.stored) == len(next) && st.Retokenized == 0
	var lexs *storedLexicons
	if whole {
		lexs = ix.storedLex
		st.LexiconsRebuilt = lexs == nil
	}
	if err := ix.swap(ctx, next, lexs); err != nil {
		return UpdateStats{}, err
	}
	clear(ix.stored)
	ix.storedLex = nil
	st.Articles = len(next)
	ix.mu.RLock()
	st.Chunks = len(ix.recs)
	st.Resharded = fileShards > 0 && len(ix.shards) != fileShards
	ix.mu.RUnlock()
	st.Duration = time.Since(start)
	return st, nil
}

// sortArticles sorts articles by what an update does with them, against
// current (what the index holds): next is the index to be, todo the
// articles to chunk and embed, restored those whose chunks and vectors came
// from the index file. hashes, when not nil, are the articles' hashes. It
// counts them in st and fails on a duplicate id.
func (ix *Index) sortArticles(articles []corpus.Article, hashes []string, current map[string]*articleRec, st *UpdateStats) (next map[string]*articleRec, todo, restored []*articleRec, err error) {
	// Hashing, and restoring chunks from the index file, on Workers
	// goroutines: at a million passages they are seconds of a start.
	type found struct {
		hash    string
		cur     *articleRec   // the index's record, when unchanged
		rec     *articleRec   // the new record otherwise
		stored  storedArticle // to restore from the index file, if restore
		restore bool
		chunks  []*chunkRec // restored from it
	}
	pre := make([]found, len(articles))
	ix.forEach(len(articles), func(i int) {
		a := &articles[i]
		h := ""
		if hashes != nil {
			h = hashes[i]
		} else {
			h = a.Hash()
		}
		pre[i].hash = h
		if cur, ok := current[a.ID]; ok && cur.hash == h {
			pre[i].cur = cur
			return
		}
		if s, ok := ix.stored[a.ID]; ok && s.Hash == h {
			pre[i].stored, pre[i].restore = s, true
		}
	})
	// The new records, and the restored chunks' records, each in one
	// allocation: at a million passages, a million small ones cost a
	// second of a start. (A record outlives its article there while
	// another's are in use: what an update that changes a few articles
	// leaves behind is small.)
	nrec, nchunk := 0, 0
	from := make([]int, len(pre))
	for i, p := range pre {
		from[i] = nchunk
		if p.cur == nil {
			nrec++
		}
		if p.restore {
			nchunk += len(p.stored.Spans)
		}
	}
	arecs := make([]articleRec, 0, nrec)
	for i := range pre {
		if pre[i].cur == nil {
			arecs = append(arecs, articleRec{art: articles[i], hash: pre[i].hash})
			pre[i].rec = &arecs[len(arecs)-1]
		}
	}
	crecs, ptrs := make([]chunkRec, nchunk), make([]*chunkRec, nchunk)
	ix.forEach(len(articles), func(i int) {
		p := &pre[i]
		if !p.restore {
			return
		}
		n := len(p.stored.Spans)
		if chunks, ok := p.stored.restore(p.rec, crecs[from[i]:from[i]+n], ptrs[from[i]:from[i]+n:from[i]+n]); ok {
			p.chunks = chunks
		}
	})

	next = make(map[string]*articleRec, len(articles))
	for i, a := range articles {
		if _, dup := next[a.ID]; dup {
			return nil, nil, nil, fmt.Errorf("update index: duplicate article id %q", a.ID)
		}
		if cur := pre[i].cur; cur != nil {
			next[a.ID] = cur
			st.Unchanged++
			st.Reused += len(cur.chunks)
			continue
		}
		rec := pre[i].rec
		next[a.ID] = rec
		if _, ok := current[a.ID]; ok {
			st.Changed++
		} else {
			st.Added++
		}
		if chunks := pre[i].chunks; chunks != nil {
			rec.chunks, rec.file = chunks, pre[i].stored.termsFile
			restored = append(restored, rec)
			st.Reused += len(chunks)
			if _, inMem := current[a.ID]; !inMem {
				st.Added--
				st.Unchanged++
			}
			continue
		}
		todo = append(todo, rec)
	}
	for id := range current {
		if _, ok := next[id]; !ok {
			st.Removed++
		}
	}
	return next, todo, restored, nil
}

// completeTerms gives every chunk of next its BM25 term list: restored
// chunks keep theirs when the index file's lists are still valid (see
// storedTermsValid), and the chunks that lack one (restored without terms,
// or embedded by a model) are tokenised. It counts the restored chunks
// tokenised again in st.Retokenized.
func (ix *Index) completeTerms(ctx context.Context, next map[string]*articleRec, restored []*articleRec, st *UpdateStats) error {
	valid := ix.storedTermsValid(restored)
	for _, r := range restored {
		for _, c := range r.chunks {
			if !valid {
				c.terms = nil
			}
			if c.terms == nil {
				st.Retokenized++
			}
		}
	}
	var lacking []*articleRec
	for _, r := range next {
		if slices.ContainsFunc(r.chunks, func(c *chunkRec) bool { return c.terms == nil }) {
			lacking = append(lacking, r)
		}
	}
	return ix.forEachErr(ctx, len(lacking), func(i int) { ix.prepare(lacking[i], nil, nil) })
}

// tokenEmbedder is implemented by embedders that can embed a text from its
// tokens; the index then tokenises each chunk once, for BM25 and the vector.
type tokenEmbedder interface {
	// EmbedDocumentTokensTo returns what EmbedDocuments returns for the
	// text of toks, written to dst if it has room.
	EmbedDocumentTokensTo(dst []float32, toks []analysis.Token) []float32
}

// termWeighter is implemented by embedders that weight query terms by corpus
// statistics; the index hands them its inverse document frequencies after
// every update.
type termWeighter interface {
	SetTermWeights(idf func(term string) float64)
}

// The local embedder takes both fast paths. Checked here, as the index
// only finds them by type assertion: a method the index cannot see would
// change answers instead of failing to build.
var (
	_ tokenEmbedder = (*embed.LocalEmbedder)(nil)
	_ termWeighter  = (*embed.LocalEmbedder)(nil)
)

// prepare gives the chunks of r their BM25 term lists (the title's terms,
// then the passage's) where they lack one, and, with te, the vectors of
// embeddingText(title, passage) where they lack one. done counts the
// chunks embedded.
func (ix *Index) prepare(r *articleRec, te tokenEmbedder, done func(int)) {
	if !slices.ContainsFunc(r.chunks, func(c *chunkRec) bool { return c.terms == nil || te != nil && len(c.vec) == 0 }) {
		return
	}
	t := ix.titleTerms(r)
	var tb tokenBufs
	for _, c := range r.chunks {
		needVec := te != nil && len(c.vec) == 0
		if c.terms != nil && !needVec {
			continue
		}
		v := ix.prepareChunk(c, t, te, needVec, &tb, nil)
		if needVec {
			c.vec = v
			done(1)
		}
	}
}

// tokenBufs are the token buffers that prepareChunk reuses: a chunk's
// tokens, and its title's and its own joined.
type tokenBufs struct{ toks, both []analysis.Token }

// titleTokens is an article title's tokens and their term ids.
type titleTokens struct {
	toks []analysis.Token
	ids  []uint32
}

// titleTerms returns the tokens and term ids of r's title.
func (ix *Index) titleTerms(r *articleRec) titleTokens {
	if r.art.Title == "" {
		return titleTokens{}
	}
	toks := analysis.Tokenize(r.art.Title)
	return titleTokens{toks, ix.vocab.AppendTermIDs(nil, toks)}
}

// prepareChunk tokenises c, gives it its term list if it lacks one, and
// with vec returns its unit vector by te (nil if it has none), t being its
// article's title: in buf if it has room, else in a new allocation. tb
// holds buffers it reuses.
func (ix *Index) prepareChunk(c *chunkRec, t titleTokens, te tokenEmbedder, vec bool, tb *tokenBufs, buf []float32) []float32 {
	tb.toks = analysis.AppendTokens(tb.toks[:0], c.text())
	toks := tb.toks
	if c.terms == nil {
		c.terms = ix.vocab.AppendTermIDs(append(make([]uint32, 0, len(t.ids)+len(toks)), t.ids...), toks)
	}
	if !vec {
		return nil
	}
	// tokenize(title + "\n\n" + text) is the two token lists joined,
	// with a multi-word name across the break merged.
	tb.both = analysis.JoinAliases(append(append(tb.both[:0], t.toks...), toks...))
	v := te.EmbedDocumentTokensTo(buf, tb.both)
	return embed.Normalize32To(v, v) // nil fails the update
}

// embedBlocks gives the chunks of blocks their term lists and vectors, te
// writing these into their blocks, one block after another on each
// worker: in a scratch mapping, writes in order cost a fraction of writes
// in the order of articles, which go to every block in turn (at 1.5
// million chunks, 83 s of a build's CPU, and thrashing in a 4 GB
// container). done counts the chunks embedded.
func (ix *Index) embedBlocks(ctx context.Context, blocks []vectorBlock, te tokenEmbedder, done func(int)) error {
	var arts []*articleRec
	seen := map[*articleRec]int{}
	for _, b := range blocks {
		for _, c := range b.chunks {
			if _, ok := seen[c.art]; !ok {
				seen[c.art] = len(arts)
				arts = append(arts, c.art)
			}
		}
	}
	titles := make([]titleTokens, len(arts))
	if err := ix.forEachErr(ctx, len(arts), func(i int) { titles[i] = ix.titleTerms(arts[i]) }); err != nil {
		return err
	}
	errs := make([]error, len(blocks))
	err := ix.forEachErr(ctx, len(blocks), func(i int) {
		b := blocks[i]
		w := newBlockWriter(b.vecs, b.file)
		var tb tokenBufs
		dim := len(b.vecs) / max(len(b.chunks), 1)
		zero, buf := make([]float32, dim), make([]float32, dim)
		for _, c := range b.chunks {
			v := ix.prepareChunk(c, titles[seen[c.art]], te, true, &tb, buf)
			if len(v) != dim {
				w.put(zero) // keeps the block's order; the update fails on v
				c.vec = nil
				continue
			}
			c.vec, c.file = w.put(v), b.file
		}
		errs[i] = w.close()
		done(len(b.chunks))
	})
	return errors.Join(err, errors.Join(errs...))
}

// A vectorBlock is a shard's block of vectors to embed: the chunks whose
// vectors it holds, in order, and the scratch mapping it lies in (nil for
// memory).
type vectorBlock struct {
	chunks []*chunkRec
	vecs   []float32
	file   *indexfile.Mapping
}

// placeVectors lays out, before embedding, the vectors of the new chunks
// of todo (all chunks of next are split) that a local embedder will write:
// each shard that only new chunks fill gets its block now, its chunks in
// the order buildShards would copy them. The embedder then writes every
// vector straight into its block (embedBlocks), and buildShards, finding
// the shard's vectors back to back, copies nothing: a build holds each
// vector once instead of twice. Shards that mix new chunks with stored or
// current ones, and model embedders (of a dimension known only from their
// answers), keep one allocation per vector, copied into a block by
// buildShards.
func (ix *Index) placeVectors(next map[string]*articleRec, todo []*articleRec) []vectorBlock {
	if _, ok := ix.emb.(tokenEmbedder); !ok || len(todo) == 0 {
		return nil
	}
	d, ok := ix.emb.(interface{ Dim() int })
	if !ok || d.Dim() <= 0 {
		return nil
	}
	dim := d.Dim()
	fresh := make(map[*articleRec]bool, len(todo))
	for _, r := range todo {
		fresh[r] = true
	}
	ids := make([]string, 0, len(next))
	total := 0
	for id, r := range next {
		ids = append(ids, id)
		total += len(r.chunks)
	}
	slices.Sort(ids) // the order of swap's recs
	current := len(ix.shards)
	if current == 0 {
		current = ix.fileShards
	}
	n := shardCount(total, current) // as buildShards will count
	groups := make([][]*chunkRec, n)
	mixed := make([]bool, n)
	for _, id := range ids {
		r := next[id]
		for _, c := range r.chunks {
			s := c.shard(n)
			if fresh[r] {
				groups[s] = append(groups[s], c)
			} else {
				mixed[s] = true
			}
		}
	}
	sizes := make([]int, n)
	for s, g := range groups {
		if !mixed[s] {
			sizes[s] = len(g) * dim
		}
	}
	vecs, file := ix.newBlocks(sizes)
	var blocks []vectorBlock
	for s, g := range groups {
		if vecs[s] != nil {
			blocks = append(blocks, vectorBlock{g, vecs[s], file})
		}
	}
	return blocks
}

// embed gives every chunk of recs its vector (and, with a local embedder,
// its term list), on Workers goroutines: with a local embedder, the chunks
// of blocks (from placeVectors) first, into their blocks, then the others.
func (ix *Index) embed(ctx context.Context, recs []*articleRec, blocks []vectorBlock, progress Progress, st *UpdateStats) error {
	total := 0
	for _, r := range recs {
		total += len(r.chunks)
	}
	if total == 0 {
		return nil
	}
	var (
		mu   sync.Mutex
		done int
	)
	report := func(n int) {
		mu.Lock()
		done += n
		if progress != nil {
			progress(done, total)
		}
		mu.Unlock()
	}
	if te, ok := ix.emb.(tokenEmbedder); ok {
		if err := ix.embedBlocks(ctx, blocks, te, report); err != nil {
			return err
		}
		if err := ix.forEachErr(ctx, len(recs), func(i int) {
			n := 0
			ix.prepare(recs[i], te, func(k int) { n += k })
			report(n)
		}); err != nil {
			return err
		}
	} else if err := ix.embedBatches(ctx, recs, total, report); err != nil {
		return err
	}
	var dim int
	for _, r := range recs {
		for _, c := range r.chunks {
			if len(c.vec) == 0 {
				return fmt.Errorf("embed chunks: %s: embedder returned a zero or non-finite vector", c.id())
			}
			if dim == 0 {
				dim = len(c.vec)
			}
			if len(c.vec) != dim {
				return fmt.Errorf("embed chunks: vectors of length %d and %d from one embedder", dim, len(c.vec))
			}
		}
	}
	st.Embedded = total
	return nil
}

// embedBatches embeds the chunks of recs through the Embedder interface, in
// batches of 64 on Workers goroutines.
func (ix *Index) embedBatches(ctx context.Context, recs []*articleRec, total int, report func(int)) error {
	all := make([]*chunkRec, 0, total)
	titles := make(map[string]string, len(recs))
	for _, r := range recs {
		all = append(all, r.chunks...)
		titles[r.art.ID] = r.art.Title
	}
	const batch = 64
	type job struct{ from, to int }
	jobs := make(chan job)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for w := 0; w < ix.workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				texts := make([]string, 0, j.to-j.from)
				for _, c := range all[j.from:j.to] {
					texts = append(texts, embeddingText(titles[c.articleID()], c.text()))
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
					u := embed.Normalize32(v)
					if u == nil {
						cancel(fmt.Errorf("embed chunks: %s: embedder returned a zero or non-finite vector", all[j.from+i].id()))
						break
					}
					all[j.from+i].vec = u
				}
				report(j.to - j.from)
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
	return context.Cause(ctx)
}

// forEach runs f(0) … f(n-1) on Workers goroutines.
func (ix *Index) forEach(n int, f func(i int)) {
	_ = ix.forEachErr(context.Background(), n, f)
}

// parallel runs f(0) … f(n-1) on n goroutines and waits for them.
// (Package bm25 has its own, for building lexicons.)
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { f(i) })
	}
	wg.Wait()
}

// forEachErr runs f(0) … f(n-1) on Workers goroutines, and stops early
// with the context's error when ctx ends.
func (ix *Index) forEachErr(ctx context.Context, n int, f func(i int)) error {
	var next atomic.Int64
	parallel(max(1, min(ix.workers, n)), func(int) {
		for ctx.Err() == nil {
			i := int(next.Add(1)) - 1
			if i >= n {
				return
			}
			f(i)
		}
	})
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("update index: %w", err)
	}
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

// swap replaces the index contents with next. With lexs, the lexicons
// of an index file that holds exactly next, unchanged, the lexicons are
// assembled from them rather than built from the term lists.
func (ix *Index) swap(ctx context.Context, next map[string]*articleRec, lexs *storedLexicons) error {
	ids := make([]string, 0, len(next))
	for id := range next {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	n := 0
	for _, r := range next {
		n += len(r.chunks)
	}
	recs := make([]*chunkRec, 0, n)
	dim := 0
	for _, id := range ids {
		for _, c := range next[id].chunks {
			if c.art != next[id] { // set at restore or split: written only if not, as searches read it
				c.art = next[id]
			}
			if dim == 0 {
				dim = len(c.vec)
			}
			if len(c.vec) != dim {
				return fmt.Errorf("update index: chunk %s has %d dimensions, others %d", c.id(), len(c.vec), dim)
			}
			recs = append(recs, c)
		}
	}
	for k, id := range ids {
		next[id].no = k
	}
	var lex, artLex *bm25.Lexicon
	if lexs != nil {
		lex, artLex = ix.assembleLexicons(recs, ids, next, lexs)
	} else {
		lex, artLex = ix.buildLexicons(recs, ids, next)
	}
	set, err := ix.buildShards(ctx, recs, dim)
	if err != nil {
		return fmt.Errorf("update index: %w", err)
	}

	ix.mu.Lock()
	old := ix.shards
	set.apply(dim)
	ix.arts, ix.recs, ix.nos, ix.lex, ix.artLex, ix.dim, ix.shards, ix.built = next, recs, &chunkNos{}, lex, artLex, dim, set.cols, set.built
	ix.newest = time.Time{}
	for _, r := range next {
		if r.art.Published.After(ix.newest) {
			ix.newest = r.art.Published
		}
	}
	ix.fileShards = 0
	ix.mu.Unlock()
	ix.dropShards(old, set.kept)
	if tw, ok := ix.emb.(termWeighter); ok {
		tw.SetTermWeights(lex.IDF)
	}
	return nil
}

// buildLexicons builds the BM25 lexicons over recs and over the articles
// of next, numbered in the order of ids.
func (ix *Index) buildLexicons(recs []*chunkRec, ids []string, next map[string]*articleRec) (lex, artLex *bm25.Lexicon) {
	docs := make([][]uint32, len(recs))
	for i, c := range recs {
		docs[i] = c.terms
	}
	lex = bm25.Build(ix.vocab, docs, ix.workers)
	// Whole articles as documents too: an article that matches the query
	// throughout, not in one passage only, is about it. Each article's
	// document is its chunks' term lists end to end, and its postings are
	// those of its chunks joined (recs are in the order of ids).
	group := make([]int32, 0, len(recs))
	for k, id := range ids {
		for range next[id].chunks {
			group = append(group, int32(k))
		}
	}
	artLen := articleLengths(ids, next)
	return lex, bm25.Group(lex, group, len(ids), func(k int) int { return artLen[k] }, ix.workers)
}

// articleLengths returns the length in terms of each article of ids as a
// BM25 document: its chunks' term lists end to end.
func articleLengths(ids []string, next map[string]*articleRec) []int {
	n := make([]int, len(ids))
	for k, id := range ids {
		for _, c := range next[id].chunks {
			n[k] += len(c.terms)
		}
	}
	return n
}

// assembleLexicons returns the lexicons that buildLexicons would build,
// from the postings of the index file that holds exactly recs: only the
// documents' lengths are counted.
func (ix *Index) assembleLexicons(recs []*chunkRec, ids []string, next map[string]*articleRec, lexs *storedLexicons) (lex, artLex *bm25.Lexicon) {
	lex = bm25.Assemble(ix.vocab, len(recs), func(i int) int { return len(recs[i].terms) }, lexs.lists[0], lexs.file)
	artLen := articleLengths(ids, next)
	artLex = bm25.Assemble(ix.vocab, len(ids), func(k int) int { return artLen[k] }, lexs.lists[1], lexs.file)
	return lex, artLex
}

// DefaultWarmArticles is how many of the newest articles [Index.Warm]
// prepares by default.
const DefaultWarmArticles = 1000

// Warm does ahead of time what the first questions would otherwise do on
// first use: it fills the vector collections an update left unfilled (see
// shardBuild), works out the sentences of every passage and the dated
// events of the newest maxArticles articles (DefaultWarmArticles when 0),
// on Workers goroutines, and loads the English word list. serve calls it
// in the background at start and after a reload; eval before timing
// answers. It stops when ctx ends; the collections are filled anyway.
func (ix *Index) Warm(ctx context.Context, maxArticles int) error {
	if maxArticles <= 0 {
		maxArticles = DefaultWarmArticles
	}
	dictionary.IsWord("warm")
	ix.mu.RLock()
	recs, built := ix.recs, ix.built
	built.start() // the vector collections, in the background meanwhile
	arts := make([]*articleRec, 0, len(ix.arts))
	for _, r := range ix.arts {
		arts = append(arts, r)
	}
	ix.mu.RUnlock()
	slices.SortFunc(arts, func(a, b *articleRec) int {
		if c := b.art.Published.Compare(a.art.Published); c != 0 {
			return c
		}
		return strings.Compare(a.art.ID, b.art.ID)
	})
	arts = arts[:min(len(arts), maxArticles)]
	if err := ix.forEachErr(ctx, len(recs), func(i int) { recs[i].sentences() }); err != nil {
		return err
	}
	if err := ix.forEachErr(ctx, len(arts), func(i int) { arts[i].eventList() }); err != nil {
		return err
	}
	return built.wait(ctx)
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

// Coverage returns the number of articles and the oldest and newest
// publication dates among them (zero when none has a date).
func (ix *Index) Coverage() (articles int, oldest, newest time.Time) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	for _, r := range ix.arts {
		pub := r.art.Published
		if pub.IsZero() {
			continue
		}
		if oldest.IsZero() || pub.Before(oldest) {
			oldest = pub
		}
		if pub.After(newest) {
			newest = pub
		}
	}
	return len(ix.arts), oldest, newest
}
