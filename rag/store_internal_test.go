package rag

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// saveAndReload saves an index of arts, lets edit change the loaded term
// lists (or the file), and returns the index loaded and updated from it,
// with the original.
func saveAndReload(t *testing.T, editFile func([]byte) []byte, editStored func(map[string]storedArticle)) (got, want *Index) {
	t.Helper()
	arts := SampleArticles(150, 21)
	want = buildTestIndex(t, NewLocalEmbedder(0), arts)
	path := filepath.Join(t.TempDir(), "index.cbi")
	if err := want.Save(path); err != nil {
		t.Fatal(err)
	}
	if editFile != nil {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, editFile(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got = NewIndex(IndexOptions{})
	if err := got.Load(path); err != nil {
		t.Fatal(err)
	}
	if editStored != nil {
		editStored(got.stored)
	}
	st, err := got.Update(context.Background(), arts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Embedded != 0 {
		t.Errorf("%d chunks embedded after a load; want all reused", st.Embedded)
	}
	qs := testQuestions(arts, 20)
	if !reflect.DeepEqual(searchAll(t, got, qs), searchAll(t, want, qs)) {
		t.Error("search results after the load differ from the original index")
	}
	return got, want
}

func TestStoredTermsUsed(t *testing.T) {
	saveAndReload(t, nil, func(stored map[string]storedArticle) {
		for _, a := range stored {
			if a.terms == nil {
				t.Fatalf("article %s loaded without term lists", a.ID)
			}
		}
	})
}

func TestStoredTermsOfAnotherTokenizer(t *testing.T) {
	// A file whose tokenizer fingerprint differs: its term lists are
	// ignored and recomputed.
	saveAndReload(t, func(data []byte) []byte {
		fp := []byte(tokenizerFingerprint())
		i := bytes.Index(data, fp)
		if i < 0 {
			t.Fatal("fingerprint not in the file")
		}
		copy(data[i:], bytes.Repeat([]byte("0"), len(fp)))
		binary.LittleEndian.PutUint32(data[len(data)-4:], crc32.Checksum(data[:len(data)-4], castagnoli))
		return data
	}, func(stored map[string]storedArticle) {
		for _, a := range stored {
			if a.terms != nil {
				t.Fatalf("article %s kept the term lists of another tokenizer", a.ID)
			}
		}
	})
}

func TestStoredTermsThatDisagree(t *testing.T) {
	// Term lists that no longer match the tokenizer (a change the
	// fingerprint missed) are caught by the sample check and recomputed.
	saveAndReload(t, nil, func(stored map[string]storedArticle) {
		for _, a := range stored {
			for _, ts := range a.terms {
				for i := range ts {
					ts[i] = 0
				}
			}
		}
	})
}

func TestTokenizerFingerprintStable(t *testing.T) {
	if a, b := tokenizerFingerprint(), tokenizerFingerprint(); a != b || !strings.HasPrefix(a, "tok-") {
		t.Errorf("fingerprints %q and %q", a, b)
	}
}
