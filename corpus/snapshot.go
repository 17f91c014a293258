package corpus

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// A corpus snapshot is the result of a load (articles and warnings) saved
// to a file, with a [Stamp] of the corpus files it was loaded from. A
// later start whose files carry the same stamp reads the snapshot instead
// of parsing and cleaning the corpus again, which at a million passages is
// most of a start's time. The snapshot holds the cleaned text, about the
// size of the corpus.

// A Snapshot is what a corpus snapshot holds: the result of a load.
type Snapshot struct {
	// Articles are the articles loaded.
	Articles []Article
	// Hashes holds the [Article.Hash] of each of Articles, in their
	// order: a reader can then tell which articles changed without
	// reading their text. Nil when not known.
	Hashes []string
	// Warnings are the load's warnings (see [LoadPath]).
	Warnings []error
}

// ErrStale is returned by [ReadSnapshot] when the snapshot was taken of
// files in another state (a file changed, was added or removed), or by
// another build of citebot, whose cleaning may differ.
var ErrStale = errors.New("corpus snapshot is stale")

// ErrCorruptSnapshot is returned by [ReadSnapshot] for a file that is
// truncated, damaged or not a snapshot.
var ErrCorruptSnapshot = errors.New("corpus snapshot is corrupt")

// A file written again within the same tick of its file system's clock,
// at the same size, keeps its stamp; so a snapshot is saved only when
// every file's times are older than a tick when the stamp is taken. The
// tick is taken to be coarseTick where times have sub-second digits
// (Linux file systems count in jiffies: 1–10 ms) and wholeSecondTick
// where they have none (FAT counts in 2 seconds, some network file
// systems in 1).
const (
	coarseTick      = 100 * time.Millisecond
	wholeSecondTick = 2 * time.Second
)

// A Stamp identifies the state of a corpus's files without reading them:
// for every file a load would look at, its name, type, size and
// modification time, and on Linux its device, inode and change time (which
// no tool can set back). Together with the running executable, so that a
// snapshot is never used by a citebot that cleans differently.
type Stamp struct {
	sum   [sha256.Size]byte
	racy  time.Time // until when a file's times could repeat (see coarseTick)
	taken time.Time
}

// StampFile returns the stamp of the file at path (a JSONL article file).
// It does not open the file, so a named pipe there cannot block it.
func StampFile(path string) (Stamp, error) {
	s := newStamper()
	if err := s.add(path, filepath.Base(path)); err != nil {
		return Stamp{}, fmt.Errorf("stamp %s: %w", path, err)
	}
	return s.stamp(), nil
}

// StampDir returns the stamp of the corpus directory dir: every entry a
// load would look at (all but hidden ones, followed through symbolic
// links), whatever its extension. It stops, returning ctx's error, when
// ctx ends.
func StampDir(ctx context.Context, dir string) (Stamp, error) {
	s := newStamper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		rel, _ := filepath.Rel(dir, p)
		if err != nil {
			if p == dir {
				return err
			}
			fmt.Fprintf(s.h, "%q error %q\n", rel, err.Error())
			return nil
		}
		if hidden, skip := hiddenEntry(rel, d); hidden {
			return skip
		}
		if d.IsDir() {
			fmt.Fprintf(s.h, "%q dir\n", filepath.ToSlash(rel))
			return nil
		}
		if err := s.add(p, filepath.ToSlash(rel)); err != nil {
			fmt.Fprintf(s.h, "%q error %q\n", filepath.ToSlash(rel), err.Error())
		}
		return nil
	})
	if err != nil {
		return Stamp{}, fmt.Errorf("stamp corpus directory: %w", err)
	}
	return s.stamp(), nil
}

// stamper accumulates a Stamp.
type stamper struct {
	h     hash.Hash
	racy  time.Time
	taken time.Time
}

func newStamper() *stamper {
	s := &stamper{h: sha256.New(), taken: time.Now()}
	fmt.Fprintf(s.h, "citebot corpus stamp 1\nprogram %x\n", program())
	return s
}

// add records the file at p, named name in the stamp: its own
// information and, for a symbolic link, its target's.
func (s *stamper) add(p, name string) error {
	lfi, err := os.Lstat(p)
	if err != nil {
		return err
	}
	s.write(name, lfi)
	if lfi.Mode()&fs.ModeSymlink != 0 {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		s.write(name+" ->", fi)
	}
	return nil
}

func (s *stamper) write(name string, fi fs.FileInfo) {
	dev, ino, ctime := fileIdentity(fi)
	fmt.Fprintf(s.h, "%q %v %d %d %d %d %d\n", name, fi.Mode(), fi.Size(), fi.ModTime().UnixNano(), dev, ino, ctime.UnixNano())
	for _, t := range []time.Time{fi.ModTime(), ctime} {
		tick := coarseTick
		if t.Nanosecond() == 0 {
			tick = wholeSecondTick
		}
		if t = t.Add(tick); t.After(s.racy) {
			s.racy = t
		}
	}
}

// settled reports whether every file s covers changed more than a tick of
// its file system's clock before s was taken: a change made since then
// shows in a new stamp. A record of an unsettled stamp (a snapshot, a
// seal) might hide such a change, so none is written.
func (s Stamp) settled() bool { return s.taken.After(s.racy) }

// removeUnsettled removes the record of an earlier stamp at path (a
// snapshot, a seal), as WriteSnapshot and WriteSeal do where they may not
// write one of an unsettled stamp.
func removeUnsettled(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func (s *stamper) stamp() Stamp {
	st := Stamp{racy: s.racy, taken: s.taken}
	copy(st.sum[:], s.h.Sum(nil))
	return st
}

// program returns the SHA-256 of the running executable, or random bytes
// when it cannot be read (then no snapshot is ever reused).
var program = sync.OnceValue(func() []byte {
	h := sha256.New()
	exe, err := os.Executable()
	if err == nil {
		var f *os.File
		if f, err = os.Open(exe); err == nil {
			_, err = io.Copy(h, f)
			f.Close()
		}
	}
	if err != nil {
		fmt.Fprintf(h, "unknown program %d %d", os.Getpid(), time.Now().UnixNano())
	}
	return h.Sum(nil)
})

// snapshotMagic and snapshotVersion start a snapshot file.
const (
	snapshotMagic   = "citebot-corpus\n"
	snapshotVersion = 2 // 2: each article's hash after its strings
)

// snapshotCastagnoli is the CRC-32C table of a snapshot's checksum.
var snapshotCastagnoli = crc32.MakeTable(crc32.Castagnoli)

// WriteSnapshot saves snap, the articles, hashes and warnings of a load,
// to path, with st, the stamp taken before the load read the files.
// Hashes that are not one for each article are computed (see [HashAll]);
// they must otherwise be the articles' [Article.Hash]. The file is
// written to a temporary file beside path, synced and renamed over it, so
// a crash leaves the old snapshot or the new one. Warnings are kept as
// their messages: [ReadSnapshot] returns them as [*FileError]s that wrap
// no sentinel error. When a file was modified within a tick of its file
// system's clock before the stamp (100 ms, or 2 s where times have no
// sub-second digits), a change made since might not show in its stamp:
// then nothing is written, an older snapshot at path is removed, and
// saved is false.
func WriteSnapshot(path string, st Stamp, snap Snapshot) (saved bool, err error) {
	if !st.settled() {
		return false, removeUnsettled(path)
	}
	articles, warnings, hashes := snap.Articles, snap.Warnings, snap.Hashes
	if len(hashes) != len(articles) {
		hashes = HashAll(articles)
	}
	removeStaleTemps(path)
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return false, err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	crc := crc32.New(snapshotCastagnoli)
	w := bufio.NewWriterSize(io.MultiWriter(f, crc), 1<<20)
	enc := snapshotEncoder{w: w}
	w.WriteString(snapshotMagic)
	enc.uint(snapshotVersion)
	enc.string(string(st.sum[:]))
	enc.uint(uint64(len(articles)))
	for i, a := range articles {
		for _, s := range []string{a.ID, a.Title, a.Source, a.URL, a.Author, a.Text, a.Origin, hashes[i]} {
			enc.string(s)
		}
		enc.time(a.Published)
		enc.bool(a.Approximate)
	}
	enc.uint(uint64(len(warnings)))
	for _, w := range warnings {
		var fe *FileError
		if errors.As(w, &fe) {
			enc.string(fe.Path)
			enc.string(fe.Err.Error())
		} else {
			enc.string("")
			enc.string(w.Error())
		}
	}
	err = w.Flush()
	if err == nil {
		_, err = f.Write(binary.LittleEndian.AppendUint32(nil, crc.Sum32()))
	}
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		dropCache(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	return err == nil, err
}

// staleTempAge is the age past which a temporary file beside a snapshot
// is taken to be left by a process that died writing it: a write takes
// seconds even at a million passages.
const staleTempAge = time.Hour

// removeStaleTemps removes the temporary files of earlier writes of path
// that are older than staleTempAge (a snapshot's is the size of the
// corpus); younger ones may be another process's write under way.
func removeStaleTemps(path string) {
	matches, _ := filepath.Glob(path + ".tmp-*")
	for _, m := range matches {
		if fi, err := os.Lstat(m); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > staleTempAge {
			os.Remove(m)
		}
	}
}

// ReadSnapshot returns the snapshot that [WriteSnapshot] saved to path,
// provided that it was saved with the stamp st; otherwise it
// returns an error wrapping [ErrStale], [ErrCorruptSnapshot] or the file
// system's error ([fs.ErrNotExist] when there is no snapshot). The file's
// checksum is verified first. Strings of the articles share one allocation
// of the file's size. It stops, returning ctx's error, when ctx ends.
func ReadSnapshot(ctx context.Context, path string, st Stamp) (Snapshot, error) {
	f, size, err := openSnapshot(path, st)
	if err != nil {
		return Snapshot{}, err
	}
	defer f.Close()
	// The whole file is read into one string, checksummed on the way (all
	// but its last 4 bytes, the checksum).
	var b strings.Builder
	b.Grow(int(size))
	crc := crc32.New(snapshotCastagnoli)
	r := readerWithContext{ctx, f}
	buf := make([]byte, 1<<20)
	if _, err := io.CopyBuffer(io.MultiWriter(&b, crc), io.LimitReader(r, size-4), buf); err != nil {
		return Snapshot{}, err
	}
	var check [4]byte
	if _, err := io.ReadFull(r, check[:]); err != nil {
		return Snapshot{}, fmt.Errorf("%w: truncated", ErrCorruptSnapshot)
	}
	if crc.Sum32() != binary.LittleEndian.Uint32(check[:]) {
		return Snapshot{}, fmt.Errorf("%w: checksum mismatch", ErrCorruptSnapshot)
	}
	dropCache(f)
	body := b.String()
	if int64(len(body)) != size-4 {
		return Snapshot{}, fmt.Errorf("%w: truncated", ErrCorruptSnapshot)
	}
	return decodeSnapshot(body[len(snapshotMagic):])
}

// MapSnapshot is [ReadSnapshot] for the one snapshot a process reads at
// its start: the file is memory-mapped, read-only, and the articles'
// strings are its bytes. They then take page cache, which the kernel can
// reclaim and fills at disk speed, rather than the process's own memory,
// which on virtual machines costs a page fault for every 4 KiB filled (a
// snapshot of 1.5 million passages, 0.75 GB: 0.3 s mapped, 3 s read).
// The mapping is never unmapped, as the strings may be anywhere: a
// snapshot replaced while the process runs keeps its disk space until
// the process exits, so later reads (a serve reload's) use ReadSnapshot.
// The file must not be changed in place meanwhile; WriteSnapshot only
// ever replaces it. Where files cannot be mapped, it is ReadSnapshot.
func MapSnapshot(ctx context.Context, path string, st Stamp) (snap Snapshot, err error) {
	f, size, err := openSnapshot(path, st)
	if err != nil {
		return Snapshot{}, err
	}
	defer f.Close()
	data, err := mapFile(f, int(size))
	if errors.Is(err, errNoMapping) {
		return ReadSnapshot(ctx, path, st)
	}
	if err != nil {
		return Snapshot{}, err
	}
	defer func() {
		if err != nil {
			unmapFile(data) // nothing of it was handed out
		}
	}()
	crc := crc32.New(snapshotCastagnoli)
	for off := 0; off < len(data)-4; off += snapshotCheckStep {
		if err := ctx.Err(); err != nil {
			return Snapshot{}, err
		}
		crc.Write(data[off:min(off+snapshotCheckStep, len(data)-4)])
	}
	if crc.Sum32() != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return Snapshot{}, fmt.Errorf("%w: checksum mismatch", ErrCorruptSnapshot)
	}
	body := unsafe.String(&data[0], len(data)-4)
	return decodeSnapshot(body[len(snapshotMagic):])
}

// snapshotCheckStep is how many bytes of a mapped snapshot are
// checksummed between checks of the context.
const snapshotCheckStep = 16 << 20

// openSnapshot opens the snapshot at path, checks that it was saved with
// the stamp st, and returns it, at its start, with its size.
func openSnapshot(path string, st Stamp) (f *os.File, size int64, err error) {
	f, err = OpenRegular(path)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = checkStamp(f, st)
	}
	if err == nil {
		size = fi.Size()
		if size < int64(len(snapshotMagic))+4 || int64(int(size)) != size {
			err = fmt.Errorf("%w: truncated", ErrCorruptSnapshot)
		}
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, size, nil
}

// checkStamp reads the start of the snapshot f, its magic, version and
// stamp, and returns an error unless they are a snapshot's of st.
func checkStamp(f io.Reader, st Stamp) error {
	head := make([]byte, len(snapshotMagic)+2*binary.MaxVarintLen64+len(st.sum))
	n, _ := io.ReadFull(f, head)
	d := snapshotDecoder{s: string(head[:n])}
	if !strings.HasPrefix(d.s, snapshotMagic) {
		return fmt.Errorf("%w: not a citebot corpus snapshot", ErrCorruptSnapshot)
	}
	d.s = d.s[len(snapshotMagic):]
	v, sum := d.uint(), d.string()
	switch {
	case d.err != nil:
		return fmt.Errorf("%w: truncated", ErrCorruptSnapshot)
	case v != snapshotVersion:
		return fmt.Errorf("%w: version %d", ErrStale, v)
	case sum != string(st.sum[:]):
		return ErrStale
	}
	return nil
}

// decodeSnapshot decodes what follows the magic in a snapshot whose
// checksum was verified: version, stamp, articles and warnings.
func decodeSnapshot(body string) (Snapshot, error) {
	d := snapshotDecoder{s: body}
	d.uint()
	d.string()
	count := d.uint()
	if count > uint64(len(d.s)) {
		return Snapshot{}, fmt.Errorf("%w: %d articles", ErrCorruptSnapshot, count)
	}
	snap := Snapshot{Articles: make([]Article, 0, count), Hashes: make([]string, 0, count)}
	for range count {
		var a Article
		for _, s := range []*string{&a.ID, &a.Title, &a.Source, &a.URL, &a.Author, &a.Text, &a.Origin} {
			*s = d.string()
		}
		h := d.string()
		if len(h) != hashLen && d.err == nil {
			d.err = ErrCorruptSnapshot
		}
		a.Published = d.time()
		a.Approximate = d.bool()
		snap.Articles = append(snap.Articles, a)
		snap.Hashes = append(snap.Hashes, h)
	}
	count = d.uint()
	if count > uint64(len(d.s)) {
		return Snapshot{}, fmt.Errorf("%w: %d warnings", ErrCorruptSnapshot, count)
	}
	for range count {
		p, msg := d.string(), d.string()
		if p == "" {
			snap.Warnings = append(snap.Warnings, errors.New(msg))
		} else {
			snap.Warnings = append(snap.Warnings, &FileError{Path: p, Err: errors.New(msg)})
		}
	}
	if d.err != nil || d.s != "" {
		return Snapshot{}, fmt.Errorf("%w: %d bytes left over", ErrCorruptSnapshot, len(d.s))
	}
	return snap, nil
}

// readerWithContext reads from r until ctx ends.
type readerWithContext struct {
	ctx context.Context
	r   io.Reader
}

func (r readerWithContext) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// snapshotEncoder writes uvarints and length-prefixed strings.
type snapshotEncoder struct{ w *bufio.Writer }

func (e snapshotEncoder) uint(v uint64) {
	var buf [binary.MaxVarintLen64]byte
	e.w.Write(binary.AppendUvarint(buf[:0], v))
}

func (e snapshotEncoder) string(s string) {
	e.uint(uint64(len(s)))
	e.w.WriteString(s)
}

func (e snapshotEncoder) bool(b bool) {
	if b {
		e.uint(1)
	} else {
		e.uint(0)
	}
}

// time writes 0 for the zero time, else 1 and the seconds and nanoseconds
// since 1970 (UTC: the location is not kept).
func (e snapshotEncoder) time(t time.Time) {
	if t.IsZero() {
		e.uint(0)
		return
	}
	e.uint(1)
	var buf [binary.MaxVarintLen64]byte
	e.w.Write(binary.AppendVarint(buf[:0], t.Unix()))
	e.uint(uint64(t.Nanosecond()))
}

// snapshotDecoder reads what snapshotEncoder wrote from s; the first
// problem is kept in err, after which everything reads as zero.
type snapshotDecoder struct {
	s   string
	err error
}

func (d *snapshotDecoder) uint() uint64 {
	var v uint64
	for shift := 0; shift < 64 && d.err == nil; shift += 7 {
		if d.s == "" {
			break
		}
		b := d.s[0]
		d.s = d.s[1:]
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return v
		}
	}
	if d.err == nil {
		d.err = ErrCorruptSnapshot
	}
	return 0
}

func (d *snapshotDecoder) string() string {
	n := d.uint()
	if d.err != nil || n > uint64(len(d.s)) {
		d.err = ErrCorruptSnapshot
		return ""
	}
	s := d.s[:n]
	d.s = d.s[n:]
	return s
}

func (d *snapshotDecoder) bool() bool {
	switch d.uint() {
	case 0:
		return false
	case 1:
		return true
	}
	d.err = ErrCorruptSnapshot
	return false
}

func (d *snapshotDecoder) time() time.Time {
	if !d.bool() {
		return time.Time{}
	}
	sec := int64(d.uint())
	sec = int64(uint64(sec)>>1) ^ -(sec & 1) // zigzag, as binary.AppendVarint
	nsec := d.uint()
	if nsec >= 1e9 {
		d.err = ErrCorruptSnapshot
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}
