//go:build !unix

package indexfile

import "os"

func mapFile(*os.File, int) ([]byte, error) { return nil, ErrNoMapping }

func unmapFile([]byte) {}
