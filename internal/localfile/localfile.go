// Package localfile opens files named in a configuration without ever blocking on them.
//
// A plain open of a FIFO (or of some device files) blocks until a writer appears, and no context,
// Ctrl-C or timeout can interrupt a goroutine stuck in open(2): a `terraform apply` whose source is a
// named pipe would hang for ever. Opening with O_NONBLOCK returns at once for every file type; the
// type is then checked on the open descriptor (fstat), so a file swapped for a pipe between a check
// and the open cannot slip through.
package localfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// ErrNotRegular reports a path that exists but is not a regular file (a directory, a FIFO, a socket
// or a device).
var ErrNotRegular = errors.New("not a regular file")

// ErrEmpty reports a regular file of zero bytes.
var ErrEmpty = errors.New("file is empty")

// OpenRegular opens name for reading without blocking and returns it with its fstat result. It fails
// with an error wrapping ErrNotRegular, and closes the descriptor, unless name is a regular file (after
// following symlinks). The returned file is switched back to blocking mode, so reads behave as usual.
func OpenRegular(name string) (*os.File, fs.FileInfo, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		_ = f.Close()
		return nil, nil, fmt.Errorf("%s is %s: %w", name, describeMode(info.Mode()), ErrNotRegular)
	}
	// O_NONBLOCK has no effect on reads of regular files, but clear it so that nothing downstream
	// sees a non-blocking descriptor.
	if err := syscall.SetNonblock(int(f.Fd()), false); err != nil {
		_ = f.Close()
		return nil, nil, err
	}
	return f, info, nil
}

// CheckUploadable tells whether name could be uploaded now: it exists, is readable, is a regular file
// and is not empty. It opens the file (without blocking) and closes it again, so it also catches files
// that exist but cannot be read.
func CheckUploadable(name string) (fs.FileInfo, error) {
	f, info, err := OpenRegular(name)
	if err != nil {
		return nil, err
	}
	_ = f.Close()
	if info.Size() == 0 {
		return info, fmt.Errorf("%s: %w", name, ErrEmpty)
	}
	return info, nil
}

// describeMode names a non-regular file type in the words a user knows.
func describeMode(mode fs.FileMode) string {
	switch {
	case mode.IsDir():
		return "a directory"
	case mode&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	case mode&fs.ModeCharDevice != 0:
		return "a character device"
	case mode&fs.ModeDevice != 0:
		return "a device"
	default:
		return "not a regular file"
	}
}
