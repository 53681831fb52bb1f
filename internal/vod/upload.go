package vod

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	cos "github.com/tencentyun/cos-go-sdk-v5"
)

// ApplyUploadRequest is ApplyUpload's input. Optional fields are omitted from the request when unset.
type ApplyUploadRequest struct {
	MediaType      string     `json:"MediaType,omitempty"`
	SubAppID       *uint64    `json:"SubAppId,omitempty"` // nil = the client's default sub-application
	MediaName      string     `json:"MediaName,omitempty"`
	CoverType      string     `json:"CoverType,omitempty"`
	Procedure      string     `json:"Procedure,omitempty"`
	ExpireTime     *time.Time `json:"ExpireTime,omitempty"` // sent as UTC RFC 3339 with "Z"
	StorageRegion  string     `json:"StorageRegion,omitempty"`
	ClassID        *int64     `json:"ClassId,omitempty"`
	SourceContext  string     `json:"SourceContext,omitempty"`
	SessionContext string     `json:"SessionContext,omitempty"`
	ExtInfo        string     `json:"ExtInfo,omitempty"`
}

// MarshalJSON writes ExpireTime the way the API documents it (2024-01-01T18:00:00Z), whatever the
// time's location.
func (r ApplyUploadRequest) MarshalJSON() ([]byte, error) {
	type plain ApplyUploadRequest
	var expire string
	if r.ExpireTime != nil {
		expire = r.ExpireTime.UTC().Format(time.RFC3339)
	}
	return json.Marshal(struct {
		plain
		ExpireTime string `json:"ExpireTime,omitempty"`
	}{plain(r), expire})
}

// ApplyUploadResponse is ApplyUpload's output. VodSessionKey and TempCertificate are secrets.
type ApplyUploadResponse struct {
	StorageBucket    string          `json:"StorageBucket"`
	StorageRegion    string          `json:"StorageRegion"`
	VodSessionKey    string          `json:"VodSessionKey"`
	MediaStoragePath string          `json:"MediaStoragePath"`
	CoverStoragePath string          `json:"CoverStoragePath"`
	TempCertificate  TempCertificate `json:"TempCertificate"`
	RequestID        string          `json:"RequestId"`
}

func (r *ApplyUploadResponse) getRequestID() string { return r.RequestID }

// String keeps the session key and the certificate out of logs and error text.
func (r ApplyUploadResponse) String() string {
	return fmt.Sprintf("ApplyUploadResponse{StorageBucket:%s StorageRegion:%s MediaStoragePath:%s CoverStoragePath:%s VodSessionKey:<redacted> TempCertificate:%v RequestId:%s}",
		r.StorageBucket, r.StorageRegion, r.MediaStoragePath, r.CoverStoragePath, r.TempCertificate, r.RequestID)
}

// GoString redacts like String, for %#v.
func (r ApplyUploadResponse) GoString() string { return r.String() }

// TempCertificate holds the temporary object-storage credentials of an upload session.
type TempCertificate struct {
	SecretID    string `json:"SecretId"`
	SecretKey   string `json:"SecretKey"`
	Token       string `json:"Token"`
	ExpiredTime uint64 `json:"ExpiredTime"` // unix seconds
}

// String shows only the secret id and the expiry.
func (t TempCertificate) String() string {
	return fmt.Sprintf("TempCertificate{SecretId:%s SecretKey:<redacted> Token:<redacted> ExpiredTime:%d}", t.SecretID, t.ExpiredTime)
}

// GoString redacts like String, for %#v.
func (t TempCertificate) GoString() string { return t.String() }

// Expires returns ExpiredTime as a time.
func (t TempCertificate) Expires() time.Time { return time.Unix(int64(t.ExpiredTime), 0) }

// ApplyUpload opens an upload session. A nil req.SubAppID means the client's sub-application.
func (c *Client) ApplyUpload(ctx context.Context, req *ApplyUploadRequest) (*ApplyUploadResponse, error) {
	if req == nil || req.MediaType == "" {
		return nil, &APIError{Action: "ApplyUpload", Code: "ClientError.MissingParameter", Message: "MediaType is required"}
	}
	params := *req
	params.SubAppID = c.defaultSubAppID(params.SubAppID)
	return callVOD[ApplyUploadResponse](ctx, c, "ApplyUpload", params)
}

var (
	bucketPattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$`)
	storageRegion = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// BucketURL fills the cos_endpoint template with a bucket and region from ApplyUpload.
func (c *Client) BucketURL(bucket, region string) (string, error) {
	t := c.settings.cosTemplate
	if strings.Contains(t, "{bucket}") && !bucketPattern.MatchString(bucket) {
		return "", fmt.Errorf("invalid storage bucket %q", bucket)
	}
	if strings.Contains(t, "{region}") && !storageRegion.MatchString(region) {
		return "", fmt.Errorf("invalid storage region %q", region)
	}
	return strings.TrimSuffix(fillCOSTemplate(t, bucket, region), "/"), nil
}

// PresignedPutURL returns a URL that accepts one HTTP PUT of the object's bytes (for example
// `curl --upload-file FILE "$URL"`) until the certificate expires. objectKey may start with "/" as
// MediaStoragePath does. The session token travels in the URL as x-cos-security-token.
func (c *Client) PresignedPutURL(ctx context.Context, bucketURL, objectKey string, cert TempCertificate) (string, error) {
	base, err := url.Parse(bucketURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return "", fmt.Errorf("invalid bucket URL %q: must be http(s)://host", bucketURL)
	}
	key := strings.TrimPrefix(objectKey, "/")
	if key == "" {
		return "", errors.New("object key is empty")
	}
	if cert.SecretID == "" || cert.SecretKey == "" {
		return "", errors.New("temporary certificate has no SecretId or SecretKey")
	}
	now := c.clock()
	expires := cert.Expires()
	if !expires.After(now) {
		return "", fmt.Errorf("temporary certificate expired at %s", expires.UTC().Format(time.RFC3339))
	}
	store := cos.NewClient(&cos.BaseURL{BucketURL: &url.URL{Scheme: base.Scheme, Host: base.Host}}, &http.Client{
		Transport: &cos.AuthorizationTransport{SecretID: cert.SecretID, SecretKey: cert.SecretKey, SessionToken: cert.Token},
	})
	// The signature is valid from now until the certificate itself expires.
	window := &cos.AuthTime{SignStartTime: now, SignEndTime: expires, KeyStartTime: now, KeyEndTime: expires}
	u, err := store.Object.GetPresignedURL2(ctx, http.MethodPut, key, expires.Sub(now), &cos.PresignedURLOptions{AuthTime: window})
	if err != nil {
		return "", fmt.Errorf("presigning PUT of %q: %w", key, err)
	}
	return u.String(), nil
}
