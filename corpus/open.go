package corpus

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Sentinel errors for paths the loaders refuse to read. Loaders wrap them
// in a [*FileError] naming the file.
var (
	// ErrNotRegular means the path is not a regular file: a named pipe
	// (FIFO), a device, a socket or a directory. It is never read, so that
	// a named pipe cannot block a load.
	ErrNotRegular = errors.New("not a regular file")
	// ErrOutsideRoot means a file of a corpus directory is a symbolic link
	// whose target lies outside the directory; it is never read.
	ErrOutsideRoot = errors.New("leads outside the corpus directory")
)

// OpenRegular opens the file name for reading and returns it only when it
// is a regular file, as the open file's own Stat reports. It opens with
// O_NONBLOCK, so that opening a named pipe without a writer returns at
// once instead of blocking; a named pipe, device, socket or directory is
// closed again and the error wraps [ErrNotRegular]. O_NONBLOCK has no
// effect on reading a regular file.
func OpenRegular(name string) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	if _, err := checkRegular(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	return f, nil
}

// checkRegular returns the file's own Stat, or an error wrapping
// ErrNotRegular when it is not a regular file.
func checkRegular(f fs.File) (fs.FileInfo, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, notRegular(fi.Mode())
	}
	return fi, nil
}

// notRegular is the ErrNotRegular error for a file of the given mode.
func notRegular(mode fs.FileMode) error {
	return fmt.Errorf("%w (%s)", ErrNotRegular, fileKind(mode))
}

// fileKind names the type of a file mode for messages.
func fileKind(mode fs.FileMode) string {
	switch {
	case mode&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	case mode&fs.ModeCharDevice != 0:
		return "a character device"
	case mode&fs.ModeDevice != 0:
		return "a device"
	case mode.IsDir():
		return "a directory"
	case mode&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "an irregular file"
}

// readLimited reads an open regular file whole. A file of more than limit
// bytes (by its Stat, or by what it holds when it grew meanwhile) is an
// error wrapping ErrTooLarge, and is not read beyond limit+1 bytes.
func readLimited(f fs.File, limit int64) ([]byte, error) {
	fi, err := checkRegular(f)
	if err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%w: %d bytes (limit %d)", ErrTooLarge, fi.Size(), limit)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	return data, nil
}
