package objectstore

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"
)

// segmentReader reads a composed blob as one stream over its segment files.
// It opens one segment at a time, so an object of 10000 parts needs one file
// descriptor, and never buffers more than the caller's slice.
type segmentReader struct {
	paths []string
	ends  []int64 // ends[i] = offset just past segment i
	size  int64

	pos     int64
	file    *os.File // the open segment, or nil
	fileIdx int
	// fileAt is the offset the open file is positioned at, relative to the
	// whole blob; it differs from pos after a Seek.
	fileAt int64

	closeOnce sync.Once
	release   func()
}

func (s *diskStorage) newSegmentReader(id string, sizes []int64) *segmentReader {
	r := &segmentReader{fileIdx: -1, release: func() { s.releaseReader(id) }}
	for i, size := range sizes {
		r.size += size
		r.paths = append(r.paths, s.segmentPath(id, i))
		r.ends = append(r.ends, r.size)
	}
	return r
}

// releaseReader ends one reader's hold on a composed blob and removes the
// blob's files if it was retired meanwhile and this was the last reader.
func (s *diskStorage) releaseReader(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.readers[id]--
	if s.readers[id] > 0 {
		return
	}
	delete(s.readers, id)
	if s.retired[id] {
		s.removeBlobLocked(id)
	}
}

func (r *segmentReader) start(i int) int64 {
	if i == 0 {
		return 0
	}
	return r.ends[i-1]
}

func (r *segmentReader) Read(p []byte) (int, error) {
	if r.pos >= r.size {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	// The first segment ending after pos; empty segments are skipped.
	idx := sort.Search(len(r.ends), func(i int) bool { return r.ends[i] > r.pos })
	if err := r.position(idx); err != nil {
		return 0, err
	}
	if left := r.ends[idx] - r.pos; int64(len(p)) > left {
		p = p[:left]
	}
	n, err := r.file.Read(p)
	r.pos += int64(n)
	r.fileAt = r.pos
	if errors.Is(err, io.EOF) {
		if n == 0 {
			// The segment is shorter than recorded: the storage is damaged.
			return 0, fmt.Errorf("read object segment %d: %w", idx+1, io.ErrUnexpectedEOF)
		}
		err = nil
	}
	return n, err
}

// position makes r.file the segment idx, at offset r.pos.
func (r *segmentReader) position(idx int) error {
	if r.fileIdx != idx {
		r.closeFile()
		f, err := os.Open(r.paths[idx])
		if err != nil {
			return fmt.Errorf("open object segment %d: %w", idx+1, err)
		}
		r.file, r.fileIdx, r.fileAt = f, idx, r.start(idx)
	}
	if r.fileAt != r.pos {
		if _, err := r.file.Seek(r.pos-r.start(idx), io.SeekStart); err != nil {
			return fmt.Errorf("seek object segment %d: %w", idx+1, err)
		}
		r.fileAt = r.pos
	}
	return nil
}

func (r *segmentReader) Seek(offset int64, whence int) (int64, error) {
	var target int64
	switch whence {
	case io.SeekStart:
		target = offset
	case io.SeekCurrent:
		target = r.pos + offset
	case io.SeekEnd:
		target = r.size + offset
	default:
		return r.pos, errors.New("seek: invalid whence")
	}
	if target < 0 {
		return r.pos, errors.New("seek: negative position")
	}
	r.pos = target
	return target, nil
}

func (r *segmentReader) closeFile() {
	if r.file != nil {
		_ = r.file.Close()
		r.file, r.fileIdx = nil, -1
	}
}

// Close releases the open segment and the reader's hold on the blob; it is
// safe to call more than once.
func (r *segmentReader) Close() error {
	r.closeOnce.Do(func() {
		r.closeFile()
		r.release()
	})
	return nil
}
