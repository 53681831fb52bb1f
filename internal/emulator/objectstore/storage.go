package objectstore

import (
	"crypto/md5" //nolint:gosec // COS ETags are MD5 by definition.
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/crc64ecma"
)

// crc64Table is CRC-64/ECMA as COS and cos-go-sdk-v5 compute it
// (reflected, init and xorout all ones; Go's crc64.ECMA table).
var crc64Table = crc64.MakeTable(crc64.ECMA)

// ErrNoSuchObject is returned by Storage when bucket/key holds no object.
var ErrNoSuchObject = errors.New("objectstore: no such object")

// Blob is content written to storage that is not necessarily visible as an
// object yet: a simple upload before it is committed, (multipart) a part, or
// the composition of parts.
type Blob struct {
	ID    string
	Size  int64
	MD5   [md5.Size]byte // zero for a composed blob: see Parts
	CRC64 uint64
	// Parts is how many blobs were composed into this one (0 = staged in one
	// piece). Composing does not read the data, so a composed blob's MD5 is
	// unknown; its CRC-64 is derived from the parts' CRC-64s.
	Parts int
}

// MD5Hex is the lowercase hex MD5 of the content, or "" for a composed blob.
func (b Blob) MD5Hex() string {
	if b.Parts > 0 {
		return ""
	}
	return hex.EncodeToString(b.MD5[:])
}

// ETag is the quoted MD5 COS returns for content uploaded in one request.
func (b Blob) ETag() string { return `"` + b.MD5Hex() + `"` }

// CRC64String is the decimal form used by x-cos-hash-crc64ecma.
func (b Blob) CRC64String() string { return strconv.FormatUint(b.CRC64, 10) }

// ObjectAttrs are the stored headers of an object.
type ObjectAttrs struct {
	ContentType        string
	ContentDisposition string
	ContentEncoding    string
	CacheControl       string
	Expires            string
	StorageClass       string            // "" = STANDARD
	UserMetadata       map[string]string // x-cos-meta-* headers, lowercase names with the prefix
	ETag               string            // "" = the blob's quoted MD5; multipart sets its own
}

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Bucket       string
	Key          string
	Size         int64
	ETag         string // as sent on the wire, quotes included
	CRC64        string // decimal CRC-64/ECMA, as in x-cos-hash-crc64ecma
	MD5          string // lowercase hex of the content
	LastModified time.Time
	Attrs        ObjectAttrs
}

// Storage holds object bytes and metadata. Uploads are two-phase so that
// multipart can reuse the same primitives: Stage streams a body (a whole
// object or one part) to a private blob while hashing it, Compose
// concatenates staged parts into a new blob, and Commit publishes a blob as
// bucket/key. Blobs that will not be committed must be Discarded.
type Storage interface {
	Stage(body io.Reader) (Blob, error)
	// Compose must cost O(parts), not O(bytes): Complete of a multi-GiB
	// upload answers at once. The parts stay the caller's to Discard.
	Compose(parts []Blob) (Blob, error)
	Discard(b Blob) error
	Commit(bucket, key string, b Blob, attrs ObjectAttrs, modified time.Time) (ObjectInfo, error)
	Stat(bucket, key string) (ObjectInfo, error)
	// Open returns the object's content; it stays readable even if the
	// object is replaced or deleted while the caller reads.
	Open(bucket, key string) (ObjectInfo, io.ReadSeekCloser, error)
	// Delete removes bucket/key (ErrNoSuchObject if there is none).
	Delete(bucket, key string) error
	List() []ObjectInfo
	Close() error
}

// diskStorage keeps each staged blob in its own file under dir/blobs and all
// metadata in memory. Staged data is written under dir/tmp and renamed into
// place only when complete, so a blob file is never partial.
//
// A composed blob is an ordered list of segment files, hard links to its
// parts' files (<id>.<n>), read back through a segmentReader: composing
// copies no bytes, and the parts can be discarded independently.
type diskStorage struct {
	dir        string
	removeDir  bool // the directory was created for us and goes on Close
	mu         sync.RWMutex
	objects    map[objectID]stored
	composites map[string][]int64 // composed blob ID -> segment sizes
	// readers counts open readers of composed blobs; a retired composed blob
	// (replaced or deleted) keeps its segment files until the last one
	// closes, because segments are opened lazily while reading. A staged
	// blob needs no count: its single open descriptor outlives the unlink.
	readers    map[string]int
	retired    map[string]bool
	closedOnce sync.Once
}

type objectID struct{ bucket, key string }

type stored struct {
	info   ObjectInfo
	blobID string
}

var _ Storage = (*diskStorage)(nil)

// NewDiskStorage stores blobs under dir ("" = a new temporary directory that
// Close removes). Metadata is not persisted: a new storage starts empty.
func NewDiskStorage(dir string) (Storage, error) {
	s := &diskStorage{
		objects:    map[objectID]stored{},
		composites: map[string][]int64{},
		readers:    map[string]int{},
		retired:    map[string]bool{},
	}
	if dir == "" {
		tmp, err := os.MkdirTemp("", "tencentvod-objectstore-")
		if err != nil {
			return nil, fmt.Errorf("create storage directory: %w", err)
		}
		dir, s.removeDir = tmp, true
	}
	s.dir = dir
	for _, sub := range []string{s.blobDir(), s.tmpDir()} {
		if err := os.MkdirAll(sub, 0o700); err != nil {
			return nil, fmt.Errorf("create storage directory: %w", err)
		}
	}
	return s, nil
}

func (s *diskStorage) blobDir() string { return filepath.Join(s.dir, "blobs") }
func (s *diskStorage) tmpDir() string  { return filepath.Join(s.dir, "tmp") }

func (s *diskStorage) blobPath(id string) string { return filepath.Join(s.blobDir(), id) }

func newBlobID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Stage streams body to disk, computing MD5 and CRC-64 on the way; the body
// is never held in memory.
func (s *diskStorage) Stage(body io.Reader) (Blob, error) {
	return s.writeBlob(func(w io.Writer) error {
		_, err := io.Copy(w, body)
		return err
	})
}

func (s *diskStorage) segmentPath(id string, n int) string {
	return s.blobPath(id + "." + strconv.Itoa(n))
}

// Compose makes a blob that reads as the concatenation of parts by linking
// their files, without reading them. The CRC-64 COS reports after Complete is
// combined from the parts' CRC-64s; the MD5 stays unknown (see Blob.Parts).
// Parts must be staged blobs.
func (s *diskStorage) Compose(parts []Blob) (Blob, error) {
	b := Blob{ID: newBlobID(), Parts: len(parts)}
	sizes := make([]int64, 0, len(parts))
	for i, p := range parts {
		if p.Parts > 0 {
			s.removeSegments(b.ID, len(sizes))
			return Blob{}, errors.New("compose blob: parts must be staged blobs, not composed ones")
		}
		if err := linkOrCopy(s.blobPath(p.ID), s.segmentPath(b.ID, i)); err != nil {
			s.removeSegments(b.ID, len(sizes))
			return Blob{}, fmt.Errorf("compose blob: %w", err)
		}
		sizes = append(sizes, p.Size)
		b.CRC64 = crc64ecma.Combine(b.CRC64, p.CRC64, p.Size)
		b.Size += p.Size
	}
	s.mu.Lock()
	s.composites[b.ID] = sizes
	s.mu.Unlock()
	return b, nil
}

// linkOrCopy hard-links src as dst; a file system without hard links gets a
// copy, which is correct but costs O(bytes).
func linkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		_ = os.Remove(dst)
		return err
	}
	return out.Close()
}

// removeSegments deletes the first n segment files of a composed blob.
func (s *diskStorage) removeSegments(id string, n int) {
	for i := range n {
		_ = os.Remove(s.segmentPath(id, i))
	}
}

// writeBlob runs fill against a temporary file and a hash tee, then renames
// the file into place.
func (s *diskStorage) writeBlob(fill func(io.Writer) error) (Blob, error) {
	tmp, err := os.CreateTemp(s.tmpDir(), "stage-*")
	if err != nil {
		return Blob{}, fmt.Errorf("create staging file: %w", err)
	}
	// Removing is a no-op once the file has been renamed into place.
	defer func() { _ = os.Remove(tmp.Name()) }()
	md5Hash := md5.New() //nolint:gosec // see import comment
	crcHash := crc64.New(crc64Table)
	counter := &countingWriter{}
	if err := fill(io.MultiWriter(tmp, md5Hash, crcHash, counter)); err != nil {
		_ = tmp.Close()
		return Blob{}, err
	}
	if err := tmp.Close(); err != nil {
		return Blob{}, fmt.Errorf("close staging file: %w", err)
	}
	b := Blob{ID: newBlobID(), Size: counter.n, CRC64: crcHash.Sum64()}
	copy(b.MD5[:], md5Hash.Sum(nil))
	if err := os.Rename(tmp.Name(), s.blobPath(b.ID)); err != nil {
		return Blob{}, fmt.Errorf("store blob: %w", err)
	}
	return b, nil
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

func (s *diskStorage) Discard(b Blob) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, composed := s.composites[b.ID]; composed {
		s.removeBlobLocked(b.ID)
		return nil
	}
	if err := os.Remove(s.blobPath(b.ID)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("discard blob: %w", err)
	}
	return nil
}

// retireLocked removes the files of a blob that no object uses any more, or,
// for a composed blob still being read, leaves that to the last reader.
// Callers hold s.mu for writing.
func (s *diskStorage) retireLocked(id string) {
	if s.readers[id] > 0 {
		s.retired[id] = true
		return
	}
	s.removeBlobLocked(id)
}

func (s *diskStorage) removeBlobLocked(id string) {
	sizes, composed := s.composites[id]
	if !composed {
		// Readers that opened the file keep their descriptor (POSIX unlink semantics).
		_ = os.Remove(s.blobPath(id))
		return
	}
	s.removeSegments(id, len(sizes))
	delete(s.composites, id)
	delete(s.retired, id)
}

// Commit publishes b as bucket/key; the blob now belongs to the object and the
// replaced object's blob is removed.
func (s *diskStorage) Commit(bucket, key string, b Blob, attrs ObjectAttrs, modified time.Time) (ObjectInfo, error) {
	if err := s.checkBlobExists(b); err != nil {
		return ObjectInfo{}, err
	}
	etag := attrs.ETag
	if etag == "" {
		etag = b.ETag()
	}
	info := ObjectInfo{
		Bucket:       bucket,
		Key:          key,
		Size:         b.Size,
		ETag:         etag,
		CRC64:        b.CRC64String(),
		MD5:          b.MD5Hex(),
		LastModified: modified.UTC().Truncate(time.Second),
		Attrs:        attrs,
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	previous, replaced := s.objects[objectID{bucket, key}]
	s.objects[objectID{bucket, key}] = stored{info: info, blobID: b.ID}
	if replaced {
		s.retireLocked(previous.blobID)
	}
	return info, nil
}

func (s *diskStorage) checkBlobExists(b Blob) error {
	if b.Parts > 0 {
		s.mu.RLock()
		_, ok := s.composites[b.ID]
		s.mu.RUnlock()
		if !ok {
			return errors.New("commit blob: unknown composed blob")
		}
		return nil
	}
	if _, err := os.Stat(s.blobPath(b.ID)); err != nil {
		return fmt.Errorf("commit blob: %w", err)
	}
	return nil
}

// Delete removes the object; open readers keep reading the old content.
func (s *diskStorage) Delete(bucket, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objects[objectID{bucket, key}]
	if !ok {
		return ErrNoSuchObject
	}
	delete(s.objects, objectID{bucket, key})
	s.retireLocked(o.blobID)
	return nil
}

func (s *diskStorage) Stat(bucket, key string) (ObjectInfo, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.objects[objectID{bucket, key}]
	if !ok {
		return ObjectInfo{}, ErrNoSuchObject
	}
	return o.info, nil
}

// Open takes the file (or, for a composed blob, a reader registration) under
// the lock so a concurrent Commit or Delete cannot remove the data between the
// metadata lookup and the open.
func (s *diskStorage) Open(bucket, key string) (ObjectInfo, io.ReadSeekCloser, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objects[objectID{bucket, key}]
	if !ok {
		return ObjectInfo{}, nil, ErrNoSuchObject
	}
	if sizes, composed := s.composites[o.blobID]; composed {
		s.readers[o.blobID]++
		return o.info, s.newSegmentReader(o.blobID, sizes), nil
	}
	f, err := os.Open(s.blobPath(o.blobID))
	if err != nil {
		return ObjectInfo{}, nil, fmt.Errorf("open object: %w", err)
	}
	return o.info, f, nil
}

// List returns every object sorted by bucket, then key.
func (s *diskStorage) List() []ObjectInfo {
	s.mu.RLock()
	infos := make([]ObjectInfo, 0, len(s.objects))
	for _, o := range s.objects {
		infos = append(infos, o.info)
	}
	s.mu.RUnlock()
	sort.Slice(infos, func(i, j int) bool {
		if infos[i].Bucket != infos[j].Bucket {
			return infos[i].Bucket < infos[j].Bucket
		}
		return infos[i].Key < infos[j].Key
	})
	return infos
}

// Close removes the directory if NewDiskStorage created it.
func (s *diskStorage) Close() error {
	var err error
	s.closedOnce.Do(func() {
		if s.removeDir {
			err = os.RemoveAll(s.dir)
		}
	})
	return err
}
