package config

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"
)

// maxFileBytes bounds the size of a configuration file (1 MiB).
const maxFileBytes = 1 << 20

// loadedFile remembers the configuration file a Config was read from, for
// [Config.InsecureFile]. It is not configuration: no key sets it.
type loadedFile struct {
	path    string
	mode    fs.FileMode
	secrets string // the secret keys the file sets, comma-separated
}

// readFile reads the configuration file at path. It opens the file without
// blocking and reads it only when the open file's own Stat says it is a
// regular file, so that a named pipe cannot hang citebot; it returns the
// file's mode with its bytes.
func readFile(path string) ([]byte, fs.FileMode, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, 0, fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("config file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, 0, fmt.Errorf("config file %s: not a regular file (%s)", path, fileKind(fi.Mode()))
	}
	if fi.Size() > maxFileBytes {
		return nil, 0, fmt.Errorf("config file %s: %d bytes is too large (limit %d)", path, fi.Size(), maxFileBytes)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, 0, fmt.Errorf("config file: %w", err)
	}
	if len(data) > maxFileBytes {
		return nil, 0, fmt.Errorf("config file %s: too large (limit %d bytes)", path, maxFileBytes)
	}
	return data, fi.Mode(), nil
}

// fileKind names the type of a file that is not regular, for messages.
func fileKind(mode fs.FileMode) string {
	switch {
	case mode&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	case mode&fs.ModeDevice != 0:
		return "a device"
	case mode.IsDir():
		return "a directory"
	}
	return "an irregular file"
}

// FileWarning describes a configuration file that holds secrets and that
// users other than its owner may read.
type FileWarning struct {
	// Path is the file as it was given.
	Path string
	// Mode is its permission bits.
	Mode fs.FileMode
	// Keys lists the secret keys the file sets, e.g. "discord.token".
	Keys []string
}

// Error says what is wrong and how to fix it.
func (w *FileWarning) Error() string {
	return fmt.Sprintf("config file %s holds %s but its mode %04o lets group or others read it; run chmod 600 %s",
		w.Path, strings.Join(w.Keys, " and "), w.Mode.Perm(), w.Path)
}

// InsecureFile returns a [*FileWarning] when the configuration file that
// [Load], [LoadSources] or [Config.LoadFile] read sets discord.token or
// openai.api_key and its permissions give group or others any access
// (mode & 0o077, the check ssh makes of a private key); nil otherwise, and
// always nil on Windows, whose permissions are not mode bits.
func (c Config) InsecureFile() *FileWarning {
	f := c.file
	if f.path == "" || f.secrets == "" || f.mode.Perm()&0o077 == 0 || runtime.GOOS == "windows" {
		return nil
	}
	return &FileWarning{Path: f.path, Mode: f.mode.Perm(), Keys: strings.Split(f.secrets, ",")}
}

// secretKeys returns the secret keys of [Keys] that keys sets to a value
// other than the empty string, comma-separated, in the order of Keys.
func secretKeys(keys []fileKey) string {
	var out []string
	for _, k := range Keys {
		if k.Secret && slices.ContainsFunc(keys, func(fk fileKey) bool { return fk.name == k.Name && fk.set }) {
			out = append(out, k.Name)
		}
	}
	return strings.Join(out, ",")
}
