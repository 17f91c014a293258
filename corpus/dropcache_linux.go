//go:build linux && (amd64 || arm64)

package corpus

import (
	"os"
	"syscall"
)

// dropCache asks the kernel to drop f's pages from the page cache
// (POSIX_FADV_DONTNEED): a snapshot is read or written once, into or from
// the heap, and its cached pages would only compete with the index's
// mapped vectors for a container's memory. Dirty pages are not dropped,
// so f is synced first when written. Errors are ignored: it is advice.
func dropCache(f *os.File) {
	const fadvDontNeed = 4
	syscall.Syscall6(syscall.SYS_FADVISE64, f.Fd(), 0, 0, fadvDontNeed, 0, 0)
}
