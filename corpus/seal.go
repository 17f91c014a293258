package corpus

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"
)

// A seal records that a file was checked while it was in the state a
// [Stamp] describes: cmd/citebot seals its index file once it has
// verified the file's checksum, and skips that pass, a read of the whole
// file, while the file's stamp still matches the seal. A seal is the
// stamp alone: sealMagic, then the stamp's SHA-256.
const sealMagic = "citebot-seal 1\n"

// WriteSeal records st in the file at path: to a temporary file beside
// it, renamed over it. Like [WriteSnapshot], it records nothing for a
// stamp taken within a tick of a file's clock after that file changed,
// as a change made since might not show in it: an older seal at path is
// then removed, and saved is false.
func WriteSeal(path string, st Stamp) (saved bool, err error) {
	if !st.settled() {
		return false, removeUnsettled(path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return false, err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	_, err = f.Write(append([]byte(sealMagic), st.sum[:]...))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	return err == nil, err
}

// Sealed reports whether the file at path is a seal of st (see
// [WriteSeal]). A missing, unreadable or damaged seal, or one of another
// stamp, is not: the caller checks the file again.
func Sealed(path string, st Stamp) bool {
	f, err := OpenRegular(path)
	if err != nil {
		return false
	}
	defer f.Close()
	want := append([]byte(sealMagic), st.sum[:]...)
	got := make([]byte, len(want)+1)
	n, err := io.ReadFull(f, got)
	return errors.Is(err, io.ErrUnexpectedEOF) && n == len(want) && string(got[:n]) == string(want)
}

// SettledStamp returns the stamp of the file at path (see [StampFile])
// taken late enough that [WriteSeal] records it: when the file changed
// within a tick of its file system's clock, it waits for the tick to pass
// (100 ms, or 2 s where times have no sub-second digits) and stamps it
// again. cmd/citebot uses it to seal an index file it has just written.
// It returns ctx's error when ctx ends first.
func SettledStamp(ctx context.Context, path string) (Stamp, error) {
	for {
		st, err := StampFile(path)
		if err != nil || st.settled() {
			return st, err
		}
		t := time.NewTimer(time.Until(st.racy) + time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return Stamp{}, ctx.Err()
		case <-t.C:
		}
	}
}
