package objectstore

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Grant is what one SecretId may do.
type Grant struct {
	SecretKey string
	// Token must arrive as x-cos-security-token (header or query parameter)
	// whenever it is non-empty; a token sent for a grant without one is rejected.
	Token string
	// ExpiresAt ends a temporary credential; zero means a long-term key.
	ExpiresAt time.Time
	// Bucket is the only bucket the credential reaches, e.g. "vod-1250000000".
	Bucket string
	// WritableKeys are the object keys (no leading "/") the credential may PUT.
	// They are also readable.
	WritableKeys []string
	// ReadableKeys may be read (HEAD and GET) but not written, e.g. an upload
	// session's keys once it is committed.
	ReadableKeys []string
	// ReadAll allows HEAD and GET of every key in Bucket.
	ReadAll bool
	// WritableDirs are key prefixes ending in "/" (an upload session's directory) under which the
	// credential may PUT (and read and delete) any key whose path steps are all names: a key with an
	// empty, "." or ".." step is refused, so that nothing a server might normalise leaves the directory.
	WritableDirs []string
}

func (g Grant) mayWrite(key string) bool {
	return slices.Contains(g.WritableKeys, key) || slices.ContainsFunc(g.WritableDirs, func(dir string) bool {
		return strings.HasPrefix(key, dir) && plainSteps(key[len(dir):])
	})
}

// plainSteps reports whether every "/"-separated step of rel is a name (not "", "." or "..").
func plainSteps(rel string) bool {
	for step := range strings.SplitSeq(rel, "/") {
		if step == "" || step == "." || step == ".." {
			return false
		}
	}
	return true
}

func (g Grant) mayRead(key string) bool {
	return g.ReadAll || g.mayWrite(key) || slices.Contains(g.ReadableKeys, key)
}

// Options configure a Store. The zero value serves nobody (no SecretId is known).
type Options struct {
	// Authorize returns the grant of a SecretId, or false if it is unknown.
	Authorize func(secretID string) (Grant, bool)
	// Storage holds the objects; nil = NewDiskStorage(Dir), owned and closed by the Store.
	Storage Storage
	// Dir is where object bytes go when Storage is nil; "" = a temporary
	// directory removed by Close.
	Dir string
	// Clock is the time used for signature windows, credential expiry and
	// Last-Modified; nil = time.Now.
	Clock func() time.Time
	// AppID is the account's APPID; when set, a grant's bucket must end in
	// "-<AppID>" like every real bucket of the account.
	AppID uint64
}

// Store is an http.Handler that serves COS object requests.
type Store struct {
	authorize   func(string) (Grant, bool)
	storage     Storage
	ownsStorage bool
	clock       func() time.Time
	appID       uint64

	faultsMu sync.Mutex
	faults   []*injectedFault

	// partsStored counts the part bodies stored, to tell whether a client
	// sends a part again.
	partsStored atomic.Int64

	uploadsMu sync.Mutex
	uploads   map[string]*multipartUpload // by upload ID
}

var _ http.Handler = (*Store)(nil)

// New builds a Store; call Close to release its storage.
func New(opts Options) (*Store, error) {
	s := &Store{
		authorize: opts.Authorize,
		storage:   opts.Storage,
		clock:     opts.Clock,
		appID:     opts.AppID,
		uploads:   map[string]*multipartUpload{},
	}
	if s.authorize == nil {
		s.authorize = func(string) (Grant, bool) { return Grant{}, false }
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.storage == nil {
		st, err := NewDiskStorage(opts.Dir)
		if err != nil {
			return nil, err
		}
		s.storage, s.ownsStorage = st, true
	}
	return s, nil
}

// Close releases the storage if the Store created it.
func (s *Store) Close() error {
	if s.ownsStorage {
		return s.storage.Close()
	}
	return nil
}

// Object returns the content of bucket/key, for tests and inspection.
func (s *Store) Object(bucket, key string) ([]byte, bool) {
	_, body, err := s.storage.Open(bucket, key)
	if err != nil {
		return nil, false
	}
	defer body.Close()
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, false
	}
	return data, true
}

// Objects lists every stored object, sorted by bucket and key.
func (s *Store) Objects() []ObjectInfo { return s.storage.List() }

// request is an authenticated request on its way to an operation.
type request struct {
	r     *http.Request
	query []queryParam
	grant Grant
	key   string
}

// response is what an operation produces; one writer turns it into HTTP.
type response struct {
	status int
	header http.Header
	// object, when set, is streamed with http.ServeContent (GET and HEAD),
	// which also answers Range and conditional requests.
	object *objectContent
	// body, when set, is an XML document (multipart results).
	body []byte
	err  *cosError
}

type objectContent struct {
	info ObjectInfo
	body io.ReadSeekCloser
}

func errorResponse(err *cosError) response { return response{err: err} }

// ServeHTTP authenticates the request, routes it and writes the reply.
func (s *Store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ids := newRequestIDs()
	w.Header().Set("Server", "tencent-cos")
	w.Header().Set("X-Cos-Request-Id", ids.request)
	w.Header().Set("X-Cos-Trace-Id", ids.trace)
	if s.applyFault(w, r, ids) {
		return
	}
	s.write(w, r, s.handle(r), ids)
}

func (s *Store) handle(r *http.Request) response {
	query, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return errorResponse(newError(ErrInvalidArgument, "The query string is malformed."))
	}
	grant, cerr := s.authenticate(r, query)
	if cerr != nil {
		return errorResponse(cerr)
	}
	req := &request{r: r, query: query, grant: grant, key: strings.TrimPrefix(r.URL.Path, "/")}
	return s.route(req)
}

// route is the table of supported operations; everything else real COS
// offers answers NotImplemented.
func (s *Store) route(req *request) response {
	// Listing a key's pending multipart uploads is the one bucket-level operation upload credentials
	// may use (for the keys they may write): it finds uploads whose Initiate reply was lost.
	if isListMultipartUploads(req) {
		return s.listMultipartUploads(req)
	}
	if req.key == "" {
		return bucketOperation(req)
	}
	if name, ok := unsupportedSubresource(req.query); ok {
		return errorResponse(newError(ErrNotImplemented, "The emulator does not implement the ?"+name+" operation."))
	}
	if len(req.key) > maxKeyBytes {
		return errorResponse(newError(ErrKeyTooLong, "The object key is longer than 850 bytes."))
	}
	if op, ok := s.multipartOperation(req); ok {
		return op(req)
	}
	switch req.r.Method {
	case http.MethodPut:
		return s.putObject(req)
	case http.MethodGet:
		return s.readObject(req, true)
	case http.MethodHead:
		return s.readObject(req, false)
	case http.MethodDelete:
		return s.deleteObject(req)
	case http.MethodPost, http.MethodOptions:
		return errorResponse(newError(ErrNotImplemented, "The emulator does not implement "+req.r.Method+" on objects."))
	default:
		return errorResponse(newError(ErrMethodNotAllowed, "The specified method is not allowed against this resource."))
	}
}

// bucketOperation answers a request on the bucket root. Grants reach objects, never the bucket itself:
// upload credentials name their object keys, so COS refuses them any bucket operation (a PUT included)
// with AccessDenied, as it refuses writes to the bucket by read-only credentials. Only reading the
// bucket (listing) by a credential that may read every key is allowed, and that is not emulated.
func bucketOperation(req *request) response {
	reading := req.r.Method == http.MethodGet || req.r.Method == http.MethodHead
	if reading && req.grant.ReadAll {
		return errorResponse(newError(ErrNotImplemented, "The emulator does not implement bucket operations."))
	}
	return errorResponse(newError(ErrAccessDenied, "Access Denied. The credential does not allow "+
		req.r.Method+" on the bucket itself."))
}

// maxKeyBytes is the COS object key limit.
const maxKeyBytes = 850

// subresources are query parameters that select a COS operation the emulator
// does not offer. The multipart ones (uploads, uploadId, partNumber) are
// routed by multipartOperation.
var subresources = []string{
	"acl", "tagging", "append", "position", "restore", "select",
	"torrent", "versionid", "versions", "cors", "lifecycle", "policy", "website", "referer", "logging",
	"inventory", "domain", "replication", "versioning", "object-lock", "retention", "ci-process", "delete",
	"list-type", "location", "encryption", "accelerate", "intelligenttiering", "symlink", "rename",
}

func unsupportedSubresource(query []queryParam) (string, bool) {
	for _, p := range query {
		if slices.Contains(subresources, strings.ToLower(p.Name)) {
			return p.Name, true
		}
	}
	return "", false
}

// authenticate verifies the signature and returns the signer's grant.
func (s *Store) authenticate(r *http.Request, query []queryParam) (Grant, *cosError) {
	a, cerr := parseAuth(r, query)
	if cerr != nil {
		return Grant{}, cerr
	}
	grant, ok := s.authorize(a.AccessKey)
	if !ok {
		return Grant{}, newError(ErrInvalidAccessKeyID, "The SecretId you provided does not exist in our records.")
	}
	now := s.clock()
	if cerr := checkWindows(a, now); cerr != nil {
		return Grant{}, cerr
	}
	c, cerr := canonicalize(r, query, a)
	if cerr != nil {
		return Grant{}, cerr
	}
	if !signatureMatches(a.Signature, computeSignature(grant.SecretKey, a.KeyTime, c)) {
		return Grant{}, newError(ErrSignatureDoesNotMatch,
			"The request signature we calculated does not match the signature you provided. Check your key and signing method.")
	}
	if cerr := checkToken(r, query, grant); cerr != nil {
		return Grant{}, cerr
	}
	if !grant.ExpiresAt.IsZero() && !now.Before(grant.ExpiresAt) {
		// [UNCONFIRMED] which code COS uses for an expired temporary key;
		// AccessDenied matches its "Request has expired" for stale signatures.
		return Grant{}, newError(ErrAccessDenied, "Request has expired: the temporary credential is no longer valid.")
	}
	if cerr := s.checkBucket(r, grant); cerr != nil {
		return Grant{}, cerr
	}
	return grant, nil
}

// checkToken requires the security token of a temporary credential. A
// temporary SecretId is meaningless without its token, so a missing or wrong
// token is reported like an unknown key ([UNCONFIRMED] exact COS code).
// Every copy sent (header and query) must match.
func checkToken(r *http.Request, query []queryParam, grant Grant) *cosError {
	var sent []string
	sent = append(sent, r.Header.Values(securityTokenName)...)
	for _, p := range query {
		if strings.EqualFold(p.Name, securityTokenName) {
			sent = append(sent, p.Value)
		}
	}
	if len(sent) == 0 && grant.Token == "" {
		return nil
	}
	if len(sent) == 0 {
		return newError(ErrInvalidAccessKeyID, "A temporary SecretId needs its x-cos-security-token.")
	}
	for _, token := range sent {
		if token != grant.Token {
			return newError(ErrInvalidAccessKeyID, "The x-cos-security-token does not belong to this SecretId.")
		}
	}
	return nil
}

// bucketLabel matches a COS bucket name: <name>-<appid>.
var bucketLabel = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*-[0-9]+$`)

// hostBucket extracts the bucket from a virtual-hosted Host such as
// vod-1250000000.cos.ap-guangzhou.myqcloud.com. IP addresses and single-label
// names (localhost, container names like emulator-1) name no bucket.
func hostBucket(host string) (string, bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if net.ParseIP(host) != nil {
		return "", false
	}
	first, rest, found := strings.Cut(host, ".")
	if !found || rest == "" || !bucketLabel.MatchString(first) {
		return "", false
	}
	return first, true
}

func (s *Store) checkBucket(r *http.Request, grant Grant) *cosError {
	if s.appID != 0 && !strings.HasSuffix(grant.Bucket, "-"+strconv.FormatUint(s.appID, 10)) {
		return newError(ErrNoSuchBucket, "The specified bucket does not exist.")
	}
	if bucket, ok := hostBucket(r.Host); ok && bucket != grant.Bucket {
		return newError(ErrAccessDenied, "Access Denied. The credential does not grant access to the bucket in the Host header.")
	}
	return nil
}

// write turns a response into HTTP. Errors carry the COS XML body except on
// HEAD, which has no body.
func (s *Store) write(w http.ResponseWriter, r *http.Request, resp response, ids requestIDs) {
	if resp.err != nil {
		writeError(w, r, resp.err, ids)
		return
	}
	for name, values := range resp.header {
		w.Header()[name] = values
	}
	if resp.object != nil {
		defer resp.object.body.Close()
		http.ServeContent(w, r, "", resp.object.info.LastModified, resp.object.body)
		return
	}
	if resp.body != nil {
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("Content-Length", strconv.Itoa(len(resp.body)))
		w.WriteHeader(resp.status)
		_, _ = w.Write(resp.body)
		return
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(resp.status)
}

func writeError(w http.ResponseWriter, r *http.Request, e *cosError, ids requestIDs) {
	status := e.httpStatus()
	if r.Method == http.MethodHead {
		w.WriteHeader(status)
		return
	}
	body := errorBody{
		Code:      string(e.code),
		Message:   e.message,
		Resource:  r.Host + r.URL.Path,
		RequestID: ids.request,
		TraceID:   ids.trace,
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(body); err != nil {
		// Cannot happen with string fields; still answer with the status.
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

type requestIDs struct{ request, trace string }

// newRequestIDs makes opaque IDs shaped like COS's base64 request IDs.
func newRequestIDs() requestIDs {
	return requestIDs{request: randomID(30), trace: randomID(45)}
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// errBodyRead marks a failure to read the client's body, as opposed to a
// failure of the storage.
var errBodyRead = errors.New("read request body")

type bodyReader struct{ r io.Reader }

func (b bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = fmt.Errorf("%w: %w", errBodyRead, err)
	}
	return n, err
}
