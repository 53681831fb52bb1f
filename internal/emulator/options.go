package emulator

import (
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"
)

// Defaults used when an Options field is left zero.
const (
	DefaultAddr            = "127.0.0.1:0"
	DefaultAppID    uint64 = 1250000000
	DefaultSecretID        = "AKIDLOCALEMULATOR"
	// DefaultSecretKey is a well-known, publicly documented test key; it protects nothing.
	DefaultSecretKey            = "local-emulator-secret-key"
	DefaultSubAppID      uint64 = 1500000000
	DefaultStorageRegion        = "ap-guangzhou"
	DefaultProcedure            = "LongVideoPreset"
	// DefaultRateLimit is the documented limit of most VOD actions: 100 requests per second.
	DefaultRateLimit  = 100
	DefaultSessionTTL = time.Hour
	// DefaultTaskDuration is how long a processing task takes from creation to FINISH.
	DefaultTaskDuration = 3 * time.Second
)

// DefaultRegions are API regions accepted in X-TC-Region (the regional endpoints VOD documents).
var DefaultRegions = []string{
	"ap-guangzhou", "ap-shanghai", "ap-nanjing", "ap-beijing", "ap-chengdu", "ap-chongqing",
	"ap-hongkong", "ap-singapore", "ap-bangkok", "ap-jakarta", "ap-mumbai", "ap-seoul", "ap-tokyo",
	"na-siliconvalley", "na-ashburn", "na-toronto", "eu-frankfurt", "sa-saopaulo",
}

// DefaultStorageRegions are the storage regions enabled for the emulated account. Real accounts enable
// a subset of the storage regions VOD offers; others (e.g. eu-moscow, na-toronto) are rejected.
var DefaultStorageRegions = []string{
	"ap-guangzhou", "ap-shanghai", "ap-beijing", "ap-chongqing", "ap-hongkong", "ap-singapore",
}

// RoleOptions describes a CAM role that STS AssumeRole may assume.
type RoleOptions struct {
	// ExternalID, when set, must be sent as ExternalId (the role's trust policy condition).
	ExternalID string
}

// Options configures a Server. The zero value is a usable emulator of one account.
type Options struct {
	// Addr is the listen address (default "127.0.0.1:0", a free loopback port).
	Addr string
	// Clock is the emulator's notion of now, used for signatures, expiries and rate limits (default time.Now).
	Clock func() time.Time
	// AppID is the account's APPID, the suffix of every bucket name (default 1250000000).
	AppID uint64
	// Keys are long-term SecretId -> SecretKey pairs the API accepts
	// (default {DefaultSecretID: DefaultSecretKey}).
	Keys map[string]string
	// SubAppIDs are the account's VOD applications; the first is the default application
	// (default {1500000000}).
	SubAppIDs []uint64
	// RequireSubAppID emulates accounts that activated VOD on or after 2023-12-25: every call must name
	// its SubAppId.
	RequireSubAppID bool
	// Regions are the API regions accepted in X-TC-Region (default DefaultRegions).
	Regions []string
	// StorageRegions are the enabled storage regions (default DefaultStorageRegions).
	StorageRegions []string
	// DefaultStorageRegion is where uploads go when ApplyUpload names none (default "ap-guangzhou").
	DefaultStorageRegion string
	// ClassIDs are top-level media classes, named "Class <id>", that exist from the start in every
	// application besides the built-in class 0; CreateClass adds more, with higher IDs.
	ClassIDs []int64
	// Procedures are task-flow template names that exist besides the built-in ones (BuiltinProcedures);
	// a name that is not built in processes like the default procedure, LongVideoPreset.
	Procedures []string
	// ProcedureTemplates are task flows with their steps that exist besides the built-in ones (a
	// template of a built-in name replaces it). Start fails on an invalid template.
	ProcedureTemplates []Procedure
	// TaskDuration is how long a processing task takes: WAITING for its first quarter, then PROCESSING,
	// then FINISH, when its outputs appear on the media (default 3s).
	TaskDuration time.Duration
	// RateLimit is the number of calls of each VOD action per second per account, counted per action
	// (default 100; negative disables the limit). An action documented with a lower limit
	// (ParseStreamingManifest, 20/s) keeps it.
	RateLimit int
	// SearchCreateTimeBeforeIncluded makes SearchMedia's CreateTime include its Before end, as
	// SearchMedia's own documentation says (the TimeRange object's says it is excluded, the default here),
	// so that clients can be tested against both readings.
	SearchCreateTimeBeforeIncluded bool
	// Latency is added to every API call, e.g. for benchmarks.
	Latency time.Duration
	// StorageLatency is added to every object-storage request, as a network round trip to a remote
	// bucket would, e.g. for benchmarks of many small uploads. It is an object-store fault injected at
	// start: faults injected later never apply while it does, and ClearFaults ends it.
	StorageLatency time.Duration
	// SessionTTL is the lifetime of temporary credentials minted by ApplyUpload and the CVM metadata
	// service (default 1h).
	SessionTTL time.Duration
	// SessionKeyTTL, when set, is how long CommitUpload accepts a VodSessionKey, if shorter than the
	// session's credentials (VOD does not document the key's lifetime). 0: as long as the credentials.
	SessionKeyTTL time.Duration
	// CVMRoles are the role names the CVM metadata service hands credentials out for.
	CVMRoles []string
	// Roles restricts STS AssumeRole to these role ARNs; nil accepts any well-formed ARN.
	Roles map[string]RoleOptions
	// MediaBaseURL is the scheme and host of the MediaUrl and CoverUrl of media files
	// (<MediaBaseURL>/_media/<bucket>/<key>), e.g. when the emulator is reached through a proxy or a
	// container's published port; "" uses the server's own URL.
	MediaBaseURL string
	// DataDir keeps uploaded object bytes; "" uses a temporary directory removed by Close.
	DataDir string
	// Logger receives one line per API call (action, request id, code; never secrets). nil is silent.
	Logger *slog.Logger
}

// withDefaults returns a copy of o with every zero field set to its default.
func (o Options) withDefaults() Options {
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.AppID == 0 {
		o.AppID = DefaultAppID
	}
	if len(o.Keys) == 0 {
		o.Keys = map[string]string{DefaultSecretID: DefaultSecretKey}
	} else {
		o.Keys = maps.Clone(o.Keys)
	}
	o.SubAppIDs = defaultSlice(o.SubAppIDs, []uint64{DefaultSubAppID})
	o.Regions = defaultSlice(o.Regions, DefaultRegions)
	o.StorageRegions = defaultSlice(o.StorageRegions, DefaultStorageRegions)
	if o.DefaultStorageRegion == "" {
		o.DefaultStorageRegion = DefaultStorageRegion
	}
	if !slices.Contains(o.StorageRegions, o.DefaultStorageRegion) {
		o.StorageRegions = append(o.StorageRegions, o.DefaultStorageRegion)
	}
	o.ClassIDs = slices.Clone(o.ClassIDs)
	o.Procedures = defaultSlice(o.Procedures, []string{DefaultProcedure})
	if o.RateLimit == 0 {
		o.RateLimit = DefaultRateLimit
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = DefaultSessionTTL
	}
	if o.TaskDuration <= 0 {
		o.TaskDuration = DefaultTaskDuration
	}
	o.ProcedureTemplates = slices.Clone(o.ProcedureTemplates)
	o.MediaBaseURL = strings.TrimRight(o.MediaBaseURL, "/")
	o.CVMRoles = slices.Clone(o.CVMRoles)
	if o.Roles != nil {
		o.Roles = maps.Clone(o.Roles)
	}
	return o
}

func defaultSlice[T any](value, fallback []T) []T {
	if len(value) == 0 {
		return slices.Clone(fallback)
	}
	return slices.Clone(value)
}
