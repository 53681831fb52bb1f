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

// vodStore is the state of the emulated VOD account. Media files, classes and multipart uploads get
// their own maps here, guarded by the same mutex, as the actions that need them are added.
type vodStore struct {
	mu                 sync.RWMutex
	sessions           []*UploadSession // creation order
	sessionsByKey      map[string]*UploadSession
	sessionsBySecretID map[string]*UploadSession
}

func newVODStore() *vodStore {
	return &vodStore{
		sessionsByKey:      map[string]*UploadSession{},
		sessionsBySecretID: map[string]*UploadSession{},
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
