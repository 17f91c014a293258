package index

import (
	"citebot/rag/internal/filter"
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"
)

// Filters restrict a lookup to the articles of one outlet, of a period of
// publication, or both: "what did Reuters say?", "only 2024". They are
// applied to the candidate lists of a search, never to chromem-go's
// metadata filter (its `where` doubled query time at 100k chunks): the
// index keeps its articles partitioned by outlet and sorted by date, a
// filter becomes the set of chunks it admits, the BM25 searches rank only
// those, and chromem-go's vector hits (asked for filterWiden times as many)
// are kept where the filter admits them. See
// docs/performance.md for the cost.

type filterKey struct{}

// WithFilter returns a context whose searches apply f when their options
// carry no filter of their own: an answer's many searches all keep to
// [Query.Filter] without each being told. A zero f returns ctx.
func WithFilter(ctx context.Context, f filter.Filter) context.Context {
	if f.IsZero() {
		return ctx
	}
	return context.WithValue(ctx, filterKey{}, f)
}

// filterOf returns the filter of opts, else that of ctx.
func filterOf(ctx context.Context, opts SearchOptions) filter.Filter {
	if !opts.Filter.IsZero() {
		return opts.Filter
	}
	f, _ := ctx.Value(filterKey{}).(filter.Filter)
	return f
}

// bitset is a set of small non-negative integers; nil stands for "all".
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) set(i int) { b[i>>6] |= 1 << (uint(i) & 63) }

func (b bitset) has(i int) bool { return b[i>>6]&(1<<(uint(i)&63)) != 0 }

// keep returns the documents of ds that b holds, in a new slice; ds itself
// when b is nil.
func (b bitset) keep(ds []int32) []int32 {
	if b == nil {
		return ds
	}
	out := make([]int32, 0, len(ds))
	for _, d := range ds {
		if int(d)>>6 < len(b) && b.has(int(d)) {
			out = append(out, d)
		}
	}
	return out
}

// allowSet is what a filter admits: chunk numbers (as a bitset, and how
// many) and article numbers (of artLex). A nil *allowSet admits all.
type allowSet struct {
	chunkBits bitset
	artBits   bitset
	nChunks   int
}

func (a *allowSet) chunkSet() bitset {
	if a == nil {
		return nil
	}
	return a.chunkBits
}

func (a *allowSet) articleSet() bitset {
	if a == nil {
		return nil
	}
	return a.artBits
}

// outletPartition is the index's articles by outlet and date, made on the
// first filtered search of an index generation (recs tells generations
// apart: every update makes a new chunk slice).
type outletPartition struct {
	recs  []*chunkRec
	all   outlet            // every article
	byKey map[string]outlet // by lower-case outlet name
	names []string          // outlet names as first written, sorted

	first []int32 // by article number: its first chunk number

	mu    sync.Mutex
	cache map[filterCacheKey]*allowSet
}

// outlet is the articles of one outlet: dated ones oldest first, and the
// undated ones.
type outlet struct {
	name           string // as first written
	dated, undated []*articleRec
}

type filterCacheKey struct {
	source      string
	since, till time.Time
}

// maxCachedFilters bounds the allow sets a partition remembers.
const maxCachedFilters = 64

// partition returns the outlet partition of the current generation,
// making it when needed. The caller holds ix.mu for reading.
func (ix *Index) partition() *outletPartition {
	if p := ix.parts.Load(); p != nil && sameRecs(p.recs, ix.recs) {
		return p
	}
	p := &outletPartition{recs: ix.recs, byKey: map[string]outlet{}, first: make([]int32, len(ix.arts)), cache: map[filterCacheKey]*allowSet{}}
	for i := len(ix.recs) - 1; i >= 0; i-- {
		p.first[ix.recs[i].art.no] = int32(i)
	}
	arts := make([]*articleRec, 0, len(ix.arts))
	for _, r := range ix.arts {
		arts = append(arts, r)
	}
	slices.SortFunc(arts, func(a, b *articleRec) int {
		if c := a.art.Published.Compare(b.art.Published); c != 0 {
			return c
		}
		return cmp.Compare(a.no, b.no)
	})
	add := func(o outlet, r *articleRec) outlet {
		if r.art.Published.IsZero() {
			o.undated = append(o.undated, r)
		} else {
			o.dated = append(o.dated, r)
		}
		return o
	}
	for _, r := range arts {
		p.all = add(p.all, r)
		name := strings.TrimSpace(r.art.Source)
		if name == "" {
			continue
		}
		key := strings.ToLower(name)
		o, ok := p.byKey[key]
		if !ok {
			p.names = append(p.names, name)
			o.name = name
		}
		p.byKey[key] = add(o, r)
	}
	slices.SortFunc(p.names, func(a, b string) int { return cmp.Compare(strings.ToLower(a), strings.ToLower(b)) })
	ix.parts.Store(p)
	return p
}

func sameRecs(a, b []*chunkRec) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// allowed returns the chunks and articles f admits: nil for the zero
// Filter, a [*filter.NoMatchError] when it admits none. The caller holds ix.mu
// for reading.
func (ix *Index) allowed(f filter.Filter) (*allowSet, error) {
	if f.IsZero() {
		return nil, nil
	}
	p := ix.partition()
	key := filterCacheKey{source: strings.ToLower(strings.TrimSpace(f.Source)), since: f.Since.From, till: f.Until.To}
	p.mu.Lock()
	a, ok := p.cache[key]
	p.mu.Unlock()
	if !ok {
		a = p.build(key, len(ix.recs), len(ix.arts))
		p.mu.Lock()
		if len(p.cache) >= maxCachedFilters {
			clear(p.cache)
		}
		p.cache[key] = a
		p.mu.Unlock()
	}
	if a.nChunks > 0 {
		return a, nil
	}
	e := &filter.NoMatchError{Filter: f}
	if o, known := p.byKey[key.source]; known {
		e.Filter.Source = o.name // as the corpus spells it
	} else if key.source != "" {
		e.Outlets = p.names[:min(len(p.names), filter.MaxOutletsNamed)]
	}
	return nil, e
}

// build works out the allow set of a filter over n chunks and arts
// articles.
func (p *outletPartition) build(key filterCacheKey, n, arts int) *allowSet {
	o := p.all
	if key.source != "" {
		o = p.byKey[key.source]
	}
	var admitted []*articleRec
	if key.since.IsZero() && key.till.IsZero() {
		admitted = append(slices.Clip(o.dated), o.undated...)
	} else {
		from, to := 0, len(o.dated)
		if !key.since.IsZero() {
			from, _ = slices.BinarySearchFunc(o.dated, key.since, func(r *articleRec, t time.Time) int { return r.art.Published.Compare(t) })
		}
		if !key.till.IsZero() {
			// The first article published after the last day.
			to, _ = slices.BinarySearchFunc(o.dated, key.till.AddDate(0, 0, 1), func(r *articleRec, t time.Time) int { return r.art.Published.Compare(t) })
		}
		if from < to {
			admitted = o.dated[from:to]
		}
	}
	a := &allowSet{chunkBits: newBitset(n), artBits: newBitset(arts)}
	for _, r := range admitted {
		a.artBits.set(r.no)
		first := int(p.first[r.no])
		for i := range r.chunks {
			a.chunkBits.set(first + i)
		}
		a.nChunks += len(r.chunks)
	}
	return a
}

// Outlets returns the outlets of the indexed articles, as first written,
// sorted case-insensitively, each once.
func (ix *Index) Outlets() []string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return slices.Clone(ix.partition().names)
}

// Check returns a [*filter.NoMatchError] when f admits none of the indexed
// articles, and nil otherwise (also for an empty index).
func (ix *Index) Check(f filter.Filter) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if len(ix.recs) == 0 {
		return nil
	}
	_, err := ix.allowed(f)
	return err
}

// filterWiden is how many more vector hits than asked for chromem-go is
// queried for under a filter; the hits the filter admits are kept. A filter
// that admits few chunks may leave fewer than m: the vectors' weight in
// retrieval is small, and the lexical candidates are filtered in full.
const filterWiden = 8

// vectorSearchIn is vectorSearch over the chunks of allow (all when nil):
// chromem-go answers the query, widened by filterWiden, and the hits
// allow admits are kept. chromem-go's own where-filter is not used, as it
// doubled query time at 100k chunks.
func (ix *Index) vectorSearchIn(ctx context.Context, q []float32, m int, allow *allowSet) ([]vectorHit, error) {
	if allow == nil {
		return ix.vectorSearch(ctx, q, m)
	}
	hits, err := ix.vectorSearch(ctx, q, m*filterWiden)
	if err != nil {
		return nil, err
	}
	kept := hits[:0]
	for _, h := range hits {
		if allow.chunkBits.has(h.doc) {
			kept = append(kept, h)
		}
	}
	return kept[:min(m, len(kept))], nil
}
