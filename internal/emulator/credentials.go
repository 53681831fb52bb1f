package emulator

import (
	"crypto/subtle"
	"sync"
	"time"
)

// credential is a key pair the API accepts. Long-term keys come from Options.Keys; temporary ones are
// minted by STS AssumeRole or the CVM metadata service and need their token in X-TC-Token.
type credential struct {
	SecretKey string
	Token     string
	ExpiresAt time.Time
	Temporary bool
	Origin    string // "sts:<role arn>" or "cvm:<role>", for inspection only
}

// checkToken enforces the X-TC-Token rules. A long-term key must not carry a token; temporary
// credentials must carry their own token and be unexpired.
//
// Expired temporary credentials give AuthFailure.TokenFailure rather than SignatureExpire: the
// signature may be fresh, it is the token (which carries the expiry) that is no longer valid.
func (c credential) checkToken(token string, now time.Time) *apiError {
	if !c.Temporary {
		if token != "" {
			return newAPIError(CodeTokenFailure, "The X-TC-Token header is only valid with temporary credentials.")
		}
		return nil
	}
	if token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(c.Token)) != 1 {
		return newAPIError(CodeTokenFailure, "The provided token is invalid or does not belong to this SecretId.")
	}
	if !now.Before(c.ExpiresAt) {
		return newAPIError(CodeTokenFailure, "The temporary credentials expired at %s.", c.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// credentialStore holds every key the API accepts.
type credentialStore struct {
	mu   sync.RWMutex
	byID map[string]credential
}

func newCredentialStore(longTerm map[string]string) *credentialStore {
	store := &credentialStore{byID: map[string]credential{}}
	for id, key := range longTerm {
		store.byID[id] = credential{SecretKey: key}
	}
	return store
}

func (s *credentialStore) lookup(secretID string) (credential, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	cred, ok := s.byID[secretID]
	return cred, ok
}

// mintTemporary creates and registers temporary API credentials valid until expiresAt.
func (s *credentialStore) mintTemporary(origin string, expiresAt time.Time) (secretID string, cred credential) {
	secretID = newTempSecretID()
	cred = credential{
		SecretKey: newTempSecretKey(),
		Token:     newSessionToken(),
		ExpiresAt: expiresAt,
		Temporary: true,
		Origin:    origin,
	}
	s.mu.Lock()
	s.byID[secretID] = cred
	s.mu.Unlock()
	return secretID, cred
}
