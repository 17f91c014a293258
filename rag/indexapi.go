package rag

import (
	"context"

	"citebot/rag/internal/chunk"
	"citebot/rag/internal/embed"
	"citebot/rag/internal/filter"
	"citebot/rag/internal/index"
	"citebot/rag/internal/timeline"
	"citebot/rag/timex"
)

// The index and its file format live in package rag/internal/index; these names
// keep the API of package rag whole for its users.

// Index is an [index.Index] that also draws timelines ([Index.Timeline]).
// It holds the passages of a corpus, keeps them up to date (Update), finds
// them (Search, with Check and Outlets for filters), lists its articles
// (Articles, Article, Len, Coverage), persists to one file (Save, Load,
// LoadContext) and warms its caches (Warm): those methods are documented
// in package rag/internal/index. It is safe for concurrent use.
type Index struct{ *index.Index }

// NewIndex returns an empty index: see [index.NewIndex].
func NewIndex(opts IndexOptions) *Index { return &Index{index.NewIndex(opts)} }

// Aliases of the types of packages index, chunk, embed and filter.
type (
	Chunk         = chunk.Chunk
	Chunker       = chunk.Chunker
	Embedder      = embed.Embedder
	Filter        = filter.Filter
	IndexOptions  = index.IndexOptions
	LocalEmbedder = embed.LocalEmbedder
	NoMatchError  = filter.NoMatchError
	Passage       = index.Passage
	Progress      = index.Progress
	SearchOptions = index.SearchOptions
	SearchTrace   = index.SearchTrace
	UpdateStats   = index.UpdateStats
)

// Errors of packages index and filter.
var (
	ErrEmptyIndex      = index.ErrEmptyIndex
	ErrNoArticles      = filter.ErrNoArticles
	ErrCorruptIndex    = index.ErrCorruptIndex
	ErrIndexVersion    = index.ErrIndexVersion
	ErrEmbedderChanged = index.ErrEmbedderChanged
	ErrFileDiffers     = index.ErrFileDiffers
)

// Defaults of packages index and embed.
const (
	DefaultLocalDim     = embed.DefaultLocalDim
	DefaultWarmArticles = index.DefaultWarmArticles
)

// DefaultChunker returns the chunker used when none is configured: see
// [chunk.DefaultChunker].
func DefaultChunker() Chunker { return chunk.DefaultChunker() }

// NewLocalEmbedder returns an embedder that needs no network or model
// files: see [embed.NewLocalEmbedder].
func NewLocalEmbedder(dim int) *LocalEmbedder { return embed.NewLocalEmbedder(dim) }

// Normalize32 returns v scaled to unit length, or nil when v is zero or
// not finite: see [embed.Normalize32].
func Normalize32(v []float32) []float32 { return embed.Normalize32(v) }

// ParsePeriod parses the date of a since or until option: a year, a
// month or a day; see [filter.ParsePeriod].
func ParsePeriod(s string) (timex.Date, error) { return filter.ParsePeriod(s) }

// WithSearchTrace returns a context whose searches record their steps in
// t: see [index.WithSearchTrace].
func WithSearchTrace(ctx context.Context, t *SearchTrace) context.Context {
	return index.WithSearchTrace(ctx, t)
}

// Timeline returns the dated events on q's topic, oldest first. It
// returns [ErrEmptyQuestion] for an empty topic, [ErrEmptyIndex] for an
// empty index and a [*NoMatchError] when the filter admits no article; a
// topic nothing is dated about gives a Timeline without events.
func (ix *Index) Timeline(ctx context.Context, q TimelineQuery) (Timeline, error) {
	return timeline.Build(ctx, ix.Index, q)
}

// Aliases of the types of package timeline: a [TimelineQuery] asks for
// the dated events on a topic, a [Timeline] lists them as
// [TimelineEvent]s, oldest first.
type (
	Timeline      = timeline.Timeline
	TimelineEvent = timeline.Event
	TimelineQuery = timeline.Query
)

// DefaultTimelineArticles is how many articles a timeline reads by
// default: see [timeline.DefaultArticles].
const DefaultTimelineArticles = timeline.DefaultArticles
