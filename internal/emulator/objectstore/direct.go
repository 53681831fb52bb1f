package objectstore

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// This file is the Go API the VOD emulator and tests use to reach objects
// directly, without a signed HTTP request: checking that an upload arrived,
// storing a cover, deleting a media file's objects and serving them.

// Stat describes bucket/key without opening it.
func (s *Store) Stat(bucket, key string) (ObjectInfo, bool) {
	info, err := s.storage.Stat(bucket, key)
	if err != nil {
		return ObjectInfo{}, false
	}
	return info, true
}

// DeleteObject removes bucket/key and reports whether it existed. Readers that
// already opened the object finish reading the old content.
func (s *Store) DeleteObject(bucket, key string) bool {
	return s.storage.Delete(bucket, key) == nil
}

// PutObjectBytes stores data as bucket/key, replacing any previous object
// (covers set by ModifyMediaInfo). An empty contentType stores COS's default.
func (s *Store) PutObjectBytes(bucket, key string, data []byte, contentType string) (ObjectInfo, error) {
	return s.PutObjectFrom(bucket, key, bytes.NewReader(data), contentType)
}

// PutObjectFrom stores what body yields as bucket/key, streamed to disk (media pulled from a URL). A
// read error stores nothing and is returned.
func (s *Store) PutObjectFrom(bucket, key string, body io.Reader, contentType string) (ObjectInfo, error) {
	if contentType == "" {
		contentType = defaultContentType
	}
	blob, err := s.storage.Stage(body)
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("stage %s/%s: %w", bucket, key, err)
	}
	info, err := s.storage.Commit(bucket, key, blob, ObjectAttrs{ContentType: contentType}, s.clock())
	if err != nil {
		_ = s.storage.Discard(blob)
		return ObjectInfo{}, fmt.Errorf("store %s/%s: %w", bucket, key, err)
	}
	return info, nil
}

// OpenObject returns bucket/key's description and content; the caller closes
// the reader. The content stays readable if the object is replaced or deleted
// meanwhile.
func (s *Store) OpenObject(bucket, key string) (ObjectInfo, io.ReadSeekCloser, bool) {
	info, body, err := s.storage.Open(bucket, key)
	if err != nil {
		return ObjectInfo{}, nil, false
	}
	return info, body, true
}

// PendingUpload is a multipart upload that was initiated and neither completed
// nor aborted.
type PendingUpload struct {
	Bucket, Key, UploadID string
	// Parts is how many distinct part numbers have been uploaded so far.
	Parts     int
	Initiated time.Time
}

// PendingUploads lists the multipart uploads in progress, oldest first. Tests
// use it to prove that a failed upload was aborted.
func (s *Store) PendingUploads() []PendingUpload {
	s.uploadsMu.Lock()
	pending := make([]PendingUpload, 0, len(s.uploads))
	for _, u := range s.uploads {
		pending = append(pending, PendingUpload{
			Bucket: u.bucket, Key: u.key, UploadID: u.id, Parts: len(u.parts), Initiated: u.initiated,
		})
	}
	s.uploadsMu.Unlock()
	slices.SortFunc(pending, func(a, b PendingUpload) int {
		if c := a.Initiated.Compare(b.Initiated); c != 0 {
			return c
		}
		return strings.Compare(a.UploadID, b.UploadID)
	})
	return pending
}

// PartsStored is how many part bodies the store has accepted since it
// started, re-sent parts included.
func (s *Store) PartsStored() int64 { return s.partsStored.Load() }
