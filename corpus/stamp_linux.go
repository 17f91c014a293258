package corpus

import (
	"io/fs"
	"syscall"
	"time"
)

// fileIdentity returns the device, inode and change time of fi.
func fileIdentity(fi fs.FileInfo) (dev, ino uint64, ctime time.Time) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, time.Time{}
	}
	return uint64(st.Dev), st.Ino, time.Unix(int64(st.Ctim.Sec), int64(st.Ctim.Nsec))
}
