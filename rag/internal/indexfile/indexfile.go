// Package indexfile is the container of the index file: its contents are
// written atomically ([WriteAtomically]: a temporary file beside it,
// synced, then renamed) and followed by their CRC-32C checksum, and read
// back in steps of at most 1 MiB that stop when a context ends ([Reader],
// [VerifyChecksum]). [Section] decodes the uvarints and strings of a
// section. What the sections hold is package index's business.
package indexfile

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"time"
)

// streamBuf is the buffer of the checksum pass and the largest single
// read, between which a load checks its context.
const streamBuf = 1 << 20

// Castagnoli is the CRC-32C table of the file's checksum.
var Castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrCorrupt is what reading a truncated or damaged file returns.
var ErrCorrupt = errors.New("index file is corrupt")

// WriteAtomically writes a file at path through write, followed by the
// CRC-32C of what it wrote: into a temporary file beside it, synced, then
// renamed over path, so that a crash leaves the old file or the new one,
// never half of one. Write errors surface when the buffer is flushed.
func WriteAtomically(path string, write func(w *bufio.Writer)) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	removeStaleTemps(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename

	crc := crc32.New(Castagnoli)
	w := bufio.NewWriterSize(io.MultiWriter(f, crc), 1<<20)
	write(w)
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	var buf [4]byte
	binary.LittleEndian.PutUint32(buf[:], crc.Sum32())
	if _, err := f.Write(buf[:]); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // make the rename durable; not all systems support it
		d.Close()
	}
	return nil
}

// AppendString appends s to b as a uvarint length and its bytes.
func AppendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// VerifyChecksum streams the first size-4 bytes of ra through CRC-32C and
// compares the sum with the last 4, checking ctx between reads.
func VerifyChecksum(ctx context.Context, ra io.ReaderAt, size int64) error {
	crc := crc32.New(Castagnoli)
	buf := make([]byte, streamBuf)
	for off := int64(0); off < size-4; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := int(min(int64(len(buf)), size-4-off))
		if _, err := ra.ReadAt(buf[:n], off); err != nil {
			return err
		}
		crc.Write(buf[:n])
		off += int64(n)
	}
	var sum [4]byte
	if _, err := ra.ReadAt(sum[:], size-4); err != nil {
		return err
	}
	if binary.LittleEndian.Uint32(sum[:]) != crc.Sum32() {
		return fmt.Errorf("%w: checksum mismatch (truncated or damaged)", ErrCorrupt)
	}
	return nil
}

// Reader reads the index file, feeding what it reads to the
// checksum (unless crc is nil: verified before) and counting the bytes
// left. With ctx, it stops when ctx ends, checking between reads of at
// most streamBuf bytes.
type Reader struct {
	ctx  context.Context
	r    io.Reader
	crc  hash.Hash32
	left int64
}

// NewReader returns a reader of the size bytes of a file from r;
// crc, when not nil, is fed what it reads and checked by [Reader.Finish]; ctx, when
// not nil, stops it.
func NewReader(ctx context.Context, r io.Reader, size int64, crc hash.Hash32) *Reader {
	return &Reader{ctx: ctx, r: r, crc: crc, left: size}
}

// Remaining returns the bytes not yet read, the checksum included.
func (c *Reader) Remaining() int64 { return c.left }

// ReadFull reads len(b) bytes into b: [io.ErrUnexpectedEOF] when fewer
// are left, the context's error when it ends between reads.
func (c *Reader) ReadFull(b []byte) error {
	if int64(len(b)) > c.left {
		return io.ErrUnexpectedEOF
	}
	for p := b; len(p) > 0; {
		if c.ctx != nil {
			if err := c.ctx.Err(); err != nil {
				return err
			}
		}
		n := min(len(p), streamBuf)
		if _, err := io.ReadFull(c.r, p[:n]); err != nil {
			return err
		}
		p = p[n:]
	}
	if c.crc != nil {
		c.crc.Write(b)
	}
	c.left -= int64(len(b))
	return nil
}

// Finish reads the trailing checksum and verifies it.
func (c *Reader) Finish() error {
	if c.left != 4 {
		return fmt.Errorf("%w: %d bytes after the vectors, want 4", ErrCorrupt, c.left)
	}
	var buf [4]byte
	if _, err := io.ReadFull(c.r, buf[:]); err != nil {
		return err
	}
	if c.crc != nil && binary.LittleEndian.Uint32(buf[:]) != c.crc.Sum32() {
		return fmt.Errorf("%w: checksum mismatch (truncated or damaged)", ErrCorrupt)
	}
	return nil
}

// Section decodes uvarints and strings; the first error sticks and
// later reads return zero values.
type Section struct {
	// B is what is left to decode.
	B []byte
	// Err is the first error; the decoder of a section may set its own.
	Err error
}

// ReadCount reads a uvarint that must not exceed limit.
func (d *Section) ReadCount(limit int) int {
	if d.Err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.B)
	if n <= 0 {
		d.Err = errors.New("bad number")
		return 0
	}
	if limit < 0 || v > uint64(limit) {
		d.Err = fmt.Errorf("number %d out of range", v)
		return 0
	}
	d.B = d.B[n:]
	return int(v)
}

// ReadString reads a string: a uvarint length and the bytes.
func (d *Section) ReadString() string {
	n := d.ReadCount(len(d.B))
	if d.Err != nil {
		return ""
	}
	s := string(d.B[:n])
	d.B = d.B[n:]
	return s
}

// staleTempAge is how old a temporary index file must be before a save
// removes it: older than any save in progress, so that a concurrent
// `citebot index` keeps its own.
const staleTempAge = time.Hour

// removeStaleTemps deletes temporary files that saves of path left behind
// when their process was killed. Errors are ignored: the files only waste
// space.
func removeStaleTemps(path string) {
	matches, _ := filepath.Glob(path + ".tmp-*")
	for _, m := range matches {
		if fi, err := os.Stat(m); err == nil && time.Since(fi.ModTime()) > staleTempAge {
			os.Remove(m)
		}
	}
}
