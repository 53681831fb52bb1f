package emulator

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// metadataCredentialsPath is where a CVM instance reads its role's temporary credentials
// (http://metadata.tencentyun.com/latest/meta-data/cam/security-credentials/<role>).
const metadataCredentialsPath = "/latest/meta-data/cam/security-credentials/"

type metadataCredentials struct {
	TmpSecretID  string `json:"TmpSecretId"`
	TmpSecretKey string `json:"TmpSecretKey"`
	ExpiredTime  int64  `json:"ExpiredTime"`
	Expiration   string `json:"Expiration"`
	Token        string `json:"Token"`
	Code         string `json:"Code"`
}

// serveMetadata emulates the CVM metadata service: the bare path lists the instance's role (as the
// SDK's DefaultCvmRoleProvider expects), <path><role> returns fresh temporary credentials the API
// accepts. Unknown roles and other metadata paths are 404, as on an instance without that role.
func (s *Server) serveMetadata(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.faults.take(MetadataFaultAction); ok && applyFault(w, r, f, newRequestID()) {
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	role, found := strings.CutPrefix(r.URL.Path, metadataCredentialsPath)
	switch {
	case !found:
		http.NotFound(w, r)
	case role == "" && len(s.opts.CVMRoles) > 0:
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(strings.Join(s.opts.CVMRoles, "\n")))
	case role == "" || !slices.Contains(s.opts.CVMRoles, role):
		http.NotFound(w, r)
	default:
		writeJSON(w, s.mintMetadataCredentials(role))
	}
}

func (s *Server) mintMetadataCredentials(role string) metadataCredentials {
	expires := s.opts.Clock().Add(s.opts.SessionTTL)
	secretID, cred := s.creds.mintTemporary("cvm:"+role, expires)
	return metadataCredentials{
		TmpSecretID:  secretID,
		TmpSecretKey: cred.SecretKey,
		ExpiredTime:  expires.Unix(),
		Expiration:   expires.UTC().Format(time.RFC3339),
		Token:        cred.Token,
		Code:         "Success",
	}
}
