package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

const alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// newRequestID returns a random (version 4) UUID, the form the real API uses for RequestId.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error (Go 1.24+).
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func randomHex(bytes int) string {
	b := make([]byte, bytes)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func randomAlphanumeric(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphanumeric[int(b[i])%len(alphanumeric)]
	}
	return string(b)
}

// newTempSecretID looks like a real temporary SecretId ("AKID" + 32 characters); the prefix also lets
// clients that sanity-check key formats accept it.
func newTempSecretID() string { return "AKID" + randomAlphanumeric(32) }

func newTempSecretKey() string { return randomAlphanumeric(32) }

// newSessionToken stands in for the opaque STS token; real ones are a few hundred characters.
func newSessionToken() string { return randomAlphanumeric(40) + randomHex(64) }

// newFileID returns a random 19-digit decimal FileId (no leading zero), the length of the FileIds in
// VOD's current examples (e.g. "5285485487985271487").
func newFileID() string {
	b := make([]byte, 19)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	if b[0] == '0' {
		b[0] = '1' + b[1]%9
	}
	return string(b)
}
