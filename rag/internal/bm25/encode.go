package bm25

import (
	"encoding/binary"
	"io"
	"unsafe"
)

// PostingSize is the size in bytes of an encoded posting: its document
// number's low and high 16 bits and its term frequency, each a
// little-endian uint16.
const PostingSize = 6

// littleEndian reports whether a Posting's memory is its encoding.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// WritePostings writes the encoding of ps to w (PostingSize bytes each).
func WritePostings(w io.Writer, ps []Posting) error {
	if len(ps) == 0 {
		return nil
	}
	if littleEndian {
		_, err := w.Write(unsafe.Slice((*byte)(unsafe.Pointer(&ps[0])), len(ps)*PostingSize))
		return err
	}
	b := make([]byte, 0, len(ps)*PostingSize)
	for _, p := range ps {
		b = binary.LittleEndian.AppendUint16(b, p.docLo)
		b = binary.LittleEndian.AppendUint16(b, p.docHi)
		b = binary.LittleEndian.AppendUint16(b, p.tf)
	}
	_, err := w.Write(b)
	return err
}

// PostingsOf returns the postings encoded in b, whose length must be a
// multiple of PostingSize. On a little-endian machine, with b aligned to
// 2 bytes, the postings are b's memory, not a copy: b must then stay
// unchanged, and alive as long as they are used (see [Assemble]'s
// backing). Otherwise they are decoded into new memory.
func PostingsOf(b []byte) []Posting {
	n := len(b) / PostingSize
	if n == 0 {
		return nil
	}
	if littleEndian && uintptr(unsafe.Pointer(&b[0]))%unsafe.Alignof(Posting{}) == 0 {
		return unsafe.Slice((*Posting)(unsafe.Pointer(&b[0])), n)
	}
	ps := make([]Posting, n)
	for i := range ps {
		e := b[i*PostingSize:]
		ps[i] = Posting{
			docLo: binary.LittleEndian.Uint16(e),
			docHi: binary.LittleEndian.Uint16(e[2:]),
			tf:    binary.LittleEndian.Uint16(e[4:]),
		}
	}
	return ps
}

// Size of a Posting must be its encoding's for PostingsOf's view.
var _ [PostingSize - unsafe.Sizeof(Posting{})]struct{}
var _ [unsafe.Sizeof(Posting{}) - PostingSize]struct{}
