package vod

import (
	"context"
	"time"
)

// Defaults applied when neither the Config field nor its environment variable is set.
const (
	DefaultRegion                    = "ap-guangzhou"
	DefaultDomain                    = "tencentcloudapi.com"
	DefaultCOSEndpoint               = "https://{bucket}.cos.{region}.myqcloud.com"
	DefaultMaxRetries                = 5
	DefaultRequestTimeout            = 60 * time.Second
	DefaultRateLimit                 = 100.0
	DefaultAssumeRoleSessionDuration = 7200 * time.Second
	MaxAssumeRoleSessionDuration     = 43200 * time.Second
	DefaultProfile                   = "default"
	DefaultMetadataEndpoint          = "http://metadata.tencentyun.com"
)

// Config configures a Client. Every zero-valued field falls back to its environment variable and
// then to a default; see the package documentation for the order.
type Config struct {
	SecretID, SecretKey, SecurityToken string
	Region                             string
	SubAppID                           uint64

	// Domain is the root domain for the API hosts (vod.<Domain>, sts.<Domain>). Endpoint and
	// STSEndpoint, when set, override the host derived from it.
	Domain, Endpoint, STSEndpoint string
	// COSEndpoint is a URL template for bucket URLs with optional {bucket} and {region} placeholders.
	COSEndpoint string

	Profile, SharedCredentialsDir string
	CAMRoleName                   string
	AssumeRole                    *AssumeRoleConfig

	// MaxRetries is how many transient failures (network, 5xx, unreadable replies) a call retries; nil
	// means unset, 0 disables those retries. Throttling is retried until the call's deadline instead.
	MaxRetries     *int64
	RequestTimeout time.Duration
	// RateLimit caps the client-side rate of each action, in calls per second. Each action's limiter
	// also stays under the action's documented limit and slows down while the API throttles.
	RateLimit float64
	UserAgent string
	Logger    Logger

	Clock            func() time.Time
	Getenv           func(string) string // nil = os.Getenv
	HomeDir          string              // "" = os.UserHomeDir()
	MetadataEndpoint string              // "" = TENCENTVOD_METADATA_ENDPOINT or DefaultMetadataEndpoint
}

// AssumeRoleConfig asks for the resolved credentials to be exchanged for a role's temporary
// credentials with STS AssumeRole.
type AssumeRoleConfig struct {
	RoleARN, SessionName string
	SessionDuration      time.Duration // 0 = TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION or 7200s
	Policy               string        // a CAM policy document, sent URL-encoded as STS requires
	ExternalID           string
}

// Logger receives the client's structured log lines. Fields never hold secrets.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Info(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}
