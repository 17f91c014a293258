package embed

import (
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"testing"

	"citebot/corpus"
	"citebot/rag/internal/analysis"
)

// refEmbed is the LocalEmbedder as first written: features as strings in
// maps. The hashed, pooled implementation must give the same vectors (up to
// the order of float additions, which the map made random).
func refEmbed(dim int, text string, idf func(string) float64) []float32 {
	toks := analysis.Tokenize(text)
	tf := map[string]float64{}
	weight := map[string]float64{}
	add := func(key string, w float64) {
		tf[key] += 1
		if _, ok := weight[key]; !ok {
			weight[key] = w
		}
	}
	prev := ""
	for _, t := range toks {
		if t.Term == "" {
			continue
		}
		w := 1.0
		if idf != nil {
			w = idf(t.Term)
		}
		add("w:"+t.Term, wordWeight*w)
		if prev != "" {
			pw := 1.0
			if idf != nil {
				pw = (idf(prev) + w) / 2
			}
			add("p:"+prev+" "+t.Term, pairWeight*pw)
		}
		prev = t.Term
		if len(t.Lower) >= 5 {
			rs := []rune("^" + t.Lower + "$")
			n := len(rs) - 2
			for i := 0; i+3 <= len(rs); i++ {
				add("c:"+string(rs[i:i+3]), trigramWeight*w/math.Sqrt(float64(n)))
			}
		}
	}
	if len(tf) == 0 {
		return nil
	}
	v := make([]float64, dim)
	h := fnv.New64a()
	for key, n := range tf {
		h.Reset()
		h.Write([]byte(key))
		x := h.Sum64()
		val := (1 + math.Log(n)) * weight[key]
		if x>>63 == 1 {
			val = -val
		}
		v[x%uint64(dim)] += val
	}
	return normalizeTo(make([]float32, dim), v)
}

// embedTexts returns texts that exercise the tokenizer and embedder: the
// shipped articles, their paragraphs under their titles as the index
// embeds passages, and edge cases.
func embedTexts(t *testing.T) []string {
	t.Helper()
	arts, err := corpus.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{
		"", "the of and", "Xi", "Biden–Xi call: U.S. and E.U. officials' 3.5% 1,000 naïve Zürich 習近平会谈 ภาษาไทย",
		"negotiations negotiations negotiations", "United States United Nations New York",
	}
	for _, a := range arts {
		texts = append(texts, a.Title, a.Text)
		for _, para := range strings.Split(a.Text, "\n\n") {
			texts = append(texts, a.Title+"\n\n"+para)
		}
	}
	return texts
}

func TestLocalEmbedderMatchesReference(t *testing.T) {
	e := NewLocalEmbedder(0)
	idf := func(term string) float64 { return 1 + float64(len(term)%5)/2 }
	for _, text := range embedTexts(t) {
		for _, w := range []func(string) float64{nil, idf} {
			got, want := e.embed(text, w), refEmbed(e.dim, text, w)
			if (got == nil) != (want == nil) {
				t.Fatalf("%.40q: got nil %v, want nil %v", text, got == nil, want == nil)
			}
			for i := range want {
				if d := math.Abs(float64(got[i] - want[i])); d > 1e-6 {
					t.Fatalf("%.40q: component %d is %v, want %v", text, i, got[i], want[i])
				}
			}
			if again := e.embed(text, w); !slices.Equal(again, got) {
				t.Fatalf("%.40q: two embeddings of one text differ", text)
			}
		}
	}
}

// TestLogCountAndNormalizeTo checks the shortcuts of the embedding loop
// against what they replace, bit for bit: the logarithm of a feature's
// count from a table, and normalising in place.
func TestLogCountAndNormalizeTo(t *testing.T) {
	for n := 1.0; n <= 100; n++ {
		if got, want := logCount(n), math.Log(n); got != want {
			t.Fatalf("logCount(%v) = %v, want %v", n, got, want)
		}
	}
	tests := []struct {
		name string
		v    []float32
	}{
		{"unit", []float32{1, 0, 0}},
		{"small", []float32{1e-20, 3e-21, -2e-20}},
		{"mixed", []float32{0.3, -1.7, 2.25, 9, -0.001}},
		{"zero", []float32{0, 0}},
		{"not finite", []float32{float32(math.Inf(1)), 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := make([]float64, len(tt.v))
			for i, x := range tt.v {
				f[i] = float64(x)
			}
			want := normalizeTo(make([]float32, len(f)), f) // from float64s, as before
			if got := Normalize32(tt.v); !slices.Equal(got, want) {
				t.Errorf("Normalize32: got %v, want %v", got, want)
			}
			in := slices.Clone(tt.v)
			if got := Normalize32To(in, in); !slices.Equal(got, want) || want == nil && !slices.Equal(in, tt.v) {
				t.Errorf("Normalize32To in place: got %v (v now %v), want %v", got, in, want)
			}
		})
	}
}
