package bm25_test

import (
	"math"
	"testing"
	"unsafe"

	"citebot/rag/internal/bm25"
)

func TestPostingKeepsDocAndTF(t *testing.T) {
	tests := []struct {
		doc int32
		tf  uint16
	}{
		{0, 1},
		{1, 65535},
		{65535, 2},
		{65536, 3},
		{1_498_047, 40},
		{math.MaxInt32, math.MaxUint16},
	}
	for _, tt := range tests {
		p := bm25.NewPosting(tt.doc, tt.tf)
		if got := p.Doc(); got != tt.doc {
			t.Errorf("NewPosting(%d, %d).Doc() = %d, want %d", tt.doc, tt.tf, got, tt.doc)
		}
		if got := p.TF(); got != tt.tf {
			t.Errorf("NewPosting(%d, %d).TF() = %d, want %d", tt.doc, tt.tf, got, tt.tf)
		}
	}
	if got, want := unsafe.Sizeof(bm25.Posting{}), uintptr(6); got != want {
		t.Errorf("a posting takes %d bytes, want %d", got, want)
	}
}
