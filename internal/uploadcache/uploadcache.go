// Package uploadcache keeps, on local disk, what resuming an interrupted upload needs: the upload
// session (its bucket, storage paths, temporary credentials and session key) and the multipart
// upload's ID, in one checkpoint file per source file.
//
// The files hold secrets, so the directory is private to the user (0700) and each file readable by
// the user alone (0600), as the AWS CLI keeps temporary credentials in its cache. Nothing else may
// copy them anywhere (state, plan, logs). A checkpoint is only used while its credentials last, and
// one process at a time holds a source file's slot (a lock file next to the checkpoint), so that two
// applies never continue the same upload.
package uploadcache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// EnvDir names the environment variable that chooses the cache directory.
const EnvDir = "TENCENTVOD_UPLOAD_CACHE_DIR"

// version is the checkpoint format; a checkpoint of another version is ignored (and replaced).
const version = 1

// Dir is where checkpoints are kept: $TENCENTVOD_UPLOAD_CACHE_DIR, or
// terraform-provider-tencentvod/uploads in the user's cache directory (os.UserCacheDir:
// $XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on macOS, %LocalAppData% on Windows).
func Dir() (string, error) {
	if dir := strings.TrimSpace(os.Getenv(EnvDir)); dir != "" {
		return filepath.Abs(dir)
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for upload checkpoints (set %s): %w", EnvDir, err)
	}
	return filepath.Join(base, "terraform-provider-tencentvod", "uploads"), nil
}

// File is a local file as a checkpoint knows it: a change of its size or modification time means
// its stored parts may no longer match.
type File struct {
	Path    string    `json:"path"` // absolute
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mod_time"`
}

// StatFile describes the file at path, made absolute.
func StatFile(path string) (File, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return File{}, err
	}
	info, err := os.Stat(abs)
	if err != nil {
		return File{}, err
	}
	return File{Path: abs, Size: info.Size(), ModTime: info.ModTime().UTC()}, nil
}

// Identity is what an upload session was opened for. A checkpoint resumes only an upload of the
// same Identity: the same files, unchanged, sent with the same ApplyUpload request (the request
// struct itself, so that an argument added to it later takes part without anyone remembering to) to
// the same service and application.
type Identity struct {
	Source   File                   `json:"source"`
	Cover    *File                  `json:"cover,omitempty"`
	Endpoint string                 `json:"endpoint"`
	SubAppID uint64                 `json:"sub_app_id"` // the application the request goes to; 0 = none named
	Request  vod.ApplyUploadRequest `json:"request"`
}

// Fingerprint is a digest of the identity: equal identities have equal fingerprints.
func (id Identity) Fingerprint() (string, error) {
	encoded, err := json.Marshal(id)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(encoded)
	return hex.EncodeToString(sum[:]), nil
}

// Checkpoint is what resuming one upload needs. Session holds secrets.
type Checkpoint struct {
	Version     int                     `json:"version"`
	Fingerprint string                  `json:"fingerprint"`
	Source      string                  `json:"source"` // the source file, to tell people what the checkpoint is for
	Session     vod.ApplyUploadResponse `json:"session"`
	Upload      vod.MultipartUpload     `json:"upload"`
	Opened      time.Time               `json:"opened"` // when the session was opened (ApplyUpload)
}

// Expires is when the session's credentials expire; the checkpoint is useless from then on.
func (c *Checkpoint) Expires() time.Time { return c.Session.TempCertificate.Expires() }

// ResumableUntil is the last moment the upload may be resumed (vod.ResumableUntil).
func (c *Checkpoint) ResumableUntil() time.Time { return vod.ResumableUntil(c.Opened, c.Expires()) }

// Cache is a directory of checkpoints, created (0700) when the first one is written.
type Cache struct {
	dir string
}

// New returns the cache in dir.
func New(dir string) *Cache { return &Cache{dir: dir} }

// held lists the slots this process holds: on systems whose file locks belong to the process
// rather than to the open file, the lock file alone would let two resources of one apply share a
// slot.
var held = struct {
	sync.Mutex
	paths map[string]bool
}{paths: map[string]bool{}}

// Slot is the checkpoint place of one source file, held by this process until Release.
type Slot struct {
	path string // the checkpoint file
	lock *flock.Flock
}

// Lock takes the slot of the source file at sourcePath (absolute). It reports false, without
// waiting, when another apply (or another resource of this one) holds it.
func (c *Cache) Lock(sourcePath string) (*Slot, bool, error) {
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("creating the upload cache directory %s: %w", c.dir, err)
	}
	if err := ensurePrivateDir(c.dir); err != nil {
		return nil, false, err
	}
	sum := sha256.Sum256([]byte(sourcePath))
	path := filepath.Join(c.dir, hex.EncodeToString(sum[:16])+".json")

	held.Lock()
	defer held.Unlock()
	if held.paths[path] {
		return nil, false, nil
	}
	lock, ok, err := lockFile(path + ".lock")
	if err != nil || !ok {
		return nil, false, err
	}
	held.paths[path] = true
	return &Slot{path: path, lock: lock}, true, nil
}

// ensurePrivateDir refuses a cache directory that others may write to: they could replace a
// checkpoint (and send the next upload to their own bucket) or its lock. The checkpoints themselves are
// readable by their owner alone. Windows has no such mode bits.
func ensurePrivateDir(dir string) error {
	info, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return fmt.Errorf("the upload cache %s is not a directory", dir)
	}
	if mode := info.Mode().Perm(); mode&0o022 != 0 && filepath.Separator == '/' {
		return fmt.Errorf("the upload cache directory %s has mode %04o: others may replace its checkpoints; "+
			"make it 0700 (chmod 700 %s)", dir, mode, dir)
	}
	return nil
}

// lockFile takes the lock file at path without waiting. A lock file that was removed (by Release)
// between opening and locking it is opened again, so that two processes never hold different files
// of the same name.
func lockFile(path string) (*flock.Flock, bool, error) {
	for range 3 {
		lock := flock.New(path, flock.SetPermissions(0o600))
		ok, err := lock.TryLock()
		if err != nil || !ok {
			return nil, false, err
		}
		locked, statErr := lock.Stat()
		current, err := os.Stat(path)
		if statErr == nil && err == nil && os.SameFile(locked, current) {
			return lock, true, nil
		}
		_ = lock.Unlock()
	}
	return nil, false, nil
}

// ErrCorrupt matches (errors.Is) a checkpoint that cannot be read back.
var ErrCorrupt = errors.New("unreadable upload checkpoint")

// Load reads the slot's checkpoint: nil when there is none, an error matching ErrCorrupt when the
// file cannot be used.
func (s *Slot) Load() (*Checkpoint, error) {
	data, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrCorrupt, s.path, err)
	}
	var cp Checkpoint
	if err := json.Unmarshal(data, &cp); err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrCorrupt, s.path, err)
	}
	if cp.Version != version || cp.Fingerprint == "" || cp.Upload.UploadID == "" {
		return nil, fmt.Errorf("%w %s: not a version %d checkpoint", ErrCorrupt, s.path, version)
	}
	return &cp, nil
}

// Save writes the checkpoint (mode 0600) in place of any earlier one, atomically: a crash leaves the
// old checkpoint or the new one, never half of one.
func (s *Slot) Save(cp *Checkpoint) error {
	cp.Version = version
	data, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.path), tempPrefix+"*") // CreateTemp makes it 0600
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), s.path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("writing upload checkpoint %s: %w", s.path, err)
	}
	return nil
}

// Path is the checkpoint file's path.
func (s *Slot) Path() string { return s.path }

// Delete removes the checkpoint, if any.
func (s *Slot) Delete() error {
	if err := os.Remove(s.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Release gives the slot up; when it holds no checkpoint any more, its lock file goes too.
func (s *Slot) Release() {
	if s == nil {
		return
	}
	s.release()
	held.Lock()
	delete(held.paths, s.path)
	held.Unlock()
}

// release unlocks the slot's lock file, removing it first when the slot holds no checkpoint.
func (s *Slot) release() {
	if _, err := os.Stat(s.path); errors.Is(err, fs.ErrNotExist) {
		_ = os.Remove(s.lock.Path()) // while locked: see lockFile
	}
	_ = s.lock.Unlock()
}

// tempPrefix begins the name of a checkpoint being written (Save), renamed into place once complete.
const tempPrefix = ".checkpoint-"

// staleTempAge is how old a checkpoint being written must be to count as left by a process that died
// while writing it: writing one takes milliseconds.
const staleTempAge = 10 * time.Minute

// RemoveExpired deletes the checkpoints whose credentials expired before now, skipping those another
// process holds, and returns how many it removed. Their uploads cannot be resumed or aborted any more:
// the bucket's lifecycle removes the parts. It also deletes checkpoints that a process which died
// while writing them left half written (they hold secrets too, and nothing would ever read them).
func (c *Cache) RemoveExpired(now time.Time) (int, error) {
	entries, err := os.ReadDir(c.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, e := range entries {
		path := filepath.Join(c.dir, e.Name())
		switch {
		case strings.HasPrefix(e.Name(), tempPrefix):
			if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > staleTempAge && os.Remove(path) == nil {
				removed++
			}
		case strings.HasSuffix(e.Name(), ".json"):
			if c.removeIfExpired(path, now) {
				removed++
			}
		}
	}
	return removed, nil
}

// removeIfExpired deletes the checkpoint at path, under its slot's lock, when it has expired. One that
// cannot be read is left for its own source file's next upload, which says so.
func (c *Cache) removeIfExpired(path string, now time.Time) bool {
	// A slot this process holds is skipped before its lock file is touched: where file locks belong
	// to the process, locking and unlocking it here would release the holder's lock.
	held.Lock()
	defer held.Unlock()
	if held.paths[path] {
		return false
	}
	lock, ok, err := lockFile(path + ".lock")
	if err != nil || !ok {
		return false
	}
	slot := &Slot{path: path, lock: lock}
	defer slot.release()
	cp, err := slot.Load()
	if err != nil || cp == nil || now.Before(cp.Expires()) {
		return false
	}
	return slot.Delete() == nil
}
