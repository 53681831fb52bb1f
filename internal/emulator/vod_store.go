package emulator

import (
	"slices"
	"sync"
	"time"
)

// UploadSession is one successful ApplyUpload: every response field plus the request that produced it.
// CommitUpload will look sessions up by VodSessionKey; the object store looks them up by the
// TempCertificate's SecretId.
type UploadSession struct {
	RequestID        string
	SubAppID         uint64 // the application the upload belongs to (the default one when none was sent)
	StorageBucket    string
	StorageRegion    string
	VodSessionKey    string
	MediaStoragePath string
	CoverStoragePath string // "" when no CoverType was requested
	TempCertificate  TempCertificate
	Request          ApplyUploadRequest
	CreatedAt        time.Time
	// FileID is the media file CommitUpload created from this session; "" until then. A session key
	// commits once, and a committed session's temporary key may no longer write.
	FileID string
}

// writableKeys are the object keys (without the leading "/") the session's temporary key may upload.
func (u UploadSession) writableKeys() []string {
	keys := []string{u.MediaStoragePath[1:]}
	if u.CoverStoragePath != "" {
		keys = append(keys, u.CoverStoragePath[1:])
	}
	return keys
}

// TempCertificate is ApplyUpload's temporary COS credential.
type TempCertificate struct {
	SecretID    string `json:"SecretId"`
	SecretKey   string `json:"SecretKey"`
	Token       string `json:"Token"`
	ExpiredTime uint64 `json:"ExpiredTime"`
}

// vodStore is the state of the emulated VOD account: upload sessions and the media files committed
// from them, guarded by one mutex. It never calls the object store, so that neither lock is ever held
// while waiting for the other; callers delete objects after the store has let go.
type vodStore struct {
	mu                 sync.RWMutex
	sessions           []*UploadSession // creation order
	sessionsByKey      map[string]*UploadSession
	sessionsBySecretID map[string]*UploadSession
	media              []*MediaFile // creation order
	mediaByID          map[string]*MediaFile
	classes            classTrees // see vod_class.go
}

func newVODStore() *vodStore {
	return &vodStore{
		sessionsByKey:      map[string]*UploadSession{},
		sessionsBySecretID: map[string]*UploadSession{},
		mediaByID:          map[string]*MediaFile{},
	}
}

func (s *vodStore) addSession(u *UploadSession) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions = append(s.sessions, u)
	s.sessionsByKey[u.VodSessionKey] = u
	s.sessionsBySecretID[u.TempCertificate.SecretID] = u
}

func (s *vodStore) sessionBySecretID(secretID string) (UploadSession, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.sessionsBySecretID[secretID]
	if !ok {
		return UploadSession{}, false
	}
	return u.clone(), true
}

func (s *vodStore) sessionByKey(vodSessionKey string) (UploadSession, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.sessionsByKey[vodSessionKey]
	if !ok {
		return UploadSession{}, false
	}
	return u.clone(), true
}

func (s *vodStore) allSessions() []UploadSession {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]UploadSession, 0, len(s.sessions))
	for _, u := range s.sessions {
		out = append(out, u.clone())
	}
	return out
}

// clone copies the pointer fields of the request so callers cannot modify stored state.
func (u *UploadSession) clone() UploadSession {
	c := *u
	c.Request = u.Request.clone()
	return c
}

func (r ApplyUploadRequest) clone() ApplyUploadRequest {
	if r.SubAppID != nil {
		v := *r.SubAppID
		r.SubAppID = &v
	}
	if r.ClassID != nil {
		v := *r.ClassID
		r.ClassID = &v
	}
	return r
}

// knownSubApp reports whether id is one of the account's applications.
func knownSubApp(ids []uint64, id uint64) bool { return slices.Contains(ids, id) }

// errAlreadyCommitted: another CommitUpload of the same session key won the race.
var errAlreadyCommitted = newAPIError(CodeInvalidVodSessionKey, "The VodSessionKey has already been committed.")

// commit turns a session into media file m, atomically with the single-use check, and gives m a
// fresh FileID. It returns the stored copy.
func (s *vodStore) commit(vodSessionKey string, m MediaFile) (MediaFile, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	session, ok := s.sessionsByKey[vodSessionKey]
	if !ok || session.FileID != "" {
		return MediaFile{}, errAlreadyCommitted
	}
	if !s.classes.exists(m.SubAppID, m.ClassID) {
		return MediaFile{}, errClassDeletedBeforeCommit(m.ClassID)
	}
	m.FileID = s.unusedFileID()
	session.FileID = m.FileID
	stored := m.clone()
	s.media = append(s.media, &stored)
	s.mediaByID[m.FileID] = &stored
	return m.clone(), nil
}

// unusedFileID draws FileIDs until one is not in use; among 9·10^18 values a second draw practically
// never happens.
func (s *vodStore) unusedFileID() string {
	for {
		id := newFileID()
		if _, taken := s.mediaByID[id]; !taken {
			return id
		}
	}
}

// mediaFile returns the media file fileID if it exists in application subAppID.
func (s *vodStore) mediaFile(fileID string, subAppID uint64) (MediaFile, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.mediaByID[fileID]
	if !ok || m.SubAppID != subAppID {
		return MediaFile{}, false
	}
	return m.clone(), true
}

// anyMediaFile looks fileID up in every application (for the Go API and the public media route).
func (s *vodStore) anyMediaFile(fileID string) (MediaFile, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.mediaByID[fileID]
	if !ok {
		return MediaFile{}, false
	}
	return m.clone(), true
}

func (s *vodStore) allMedia() []MediaFile {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]MediaFile, 0, len(s.media))
	for _, m := range s.media {
		out = append(out, m.clone())
	}
	return out
}

// update applies change to the stored media file fileID of subAppID under the lock; change sees a copy
// and returns the new value or an error, so a failed validation leaves the file untouched.
func (s *vodStore) update(fileID string, subAppID uint64, change func(MediaFile) (MediaFile, *apiError)) (before, after MediaFile, found bool, apiErr *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.mediaByID[fileID]
	if !ok || m.SubAppID != subAppID {
		return MediaFile{}, MediaFile{}, false, nil
	}
	before = m.clone()
	after, apiErr = change(m.clone())
	if apiErr != nil {
		return before, MediaFile{}, true, apiErr
	}
	*m = after.clone()
	return before, after, true, nil
}

// remove deletes the record of fileID (subAppID 0 = any application) and returns it, so that the
// caller can delete its objects.
func (s *vodStore) remove(fileID string, subAppID uint64) (MediaFile, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.mediaByID[fileID]
	if !ok || subAppID != 0 && m.SubAppID != subAppID {
		return MediaFile{}, false
	}
	delete(s.mediaByID, fileID)
	s.media = slices.DeleteFunc(s.media, func(other *MediaFile) bool { return other == m })
	return m.clone(), true
}

// removeExpired deletes the records of media files whose ExpireTime has passed (VOD deletes them
// permanently) and returns them.
func (s *vodStore) removeExpired(now time.Time) []MediaFile {
	s.mu.Lock()
	defer s.mu.Unlock()
	var expired []MediaFile
	s.media = slices.DeleteFunc(s.media, func(m *MediaFile) bool {
		if !m.expiredAt(now) {
			return false
		}
		expired = append(expired, m.clone())
		delete(s.mediaByID, m.FileID)
		return true
	})
	return expired
}

// servesObject reports whether bucket/key is the media, cover or package object of a media file, i.e. whether
// the public media route may serve it.
func (s *vodStore) servesObject(bucket, key string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, m := range s.media {
		if m.Bucket == bucket && (m.MediaKey == key || m.CoverKey != "" && m.CoverKey == key || slices.Contains(m.PackageKeys, key)) {
			return true
		}
	}
	return false
}
