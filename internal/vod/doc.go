// Package vod is a small, framework-free client for the Tencent Cloud VOD API (2018-07-17), the
// STS AssumeRole call it needs for credentials, and presigned uploads to VOD's object storage. It
// knows nothing about Terraform: the provider package turns its configuration into a Config and its
// errors into diagnostics.
//
// # Settings
//
// NewClient never touches the network. Every Config field that is left at its zero value falls back
// to its environment variable (Env* constants), then, for the region only, to the tccli profile's
// "<dir>/<profile>.configure" file (key _sys_param.region), then to the documented default. Invalid
// values are rejected with an error that names both the argument and the environment variable.
//
// # Credentials
//
// Credentials are resolved lazily, at the first call that needs them, and cached. The first source
// that supplies a secret id wins:
//
//  1. Config.SecretID, Config.SecretKey and Config.SecurityToken, taken together as one set. If the
//     id or the key is set in Config, the whole set comes from Config; one without the other is an
//     error.
//  2. The environment set TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY and
//     TENCENTCLOUD_SECURITY_TOKEN, again as one set.
//  3. The tccli profile file "<dir>/<profile>.credential" (JSON with secretId, secretKey and an
//     optional token), where dir is Config.SharedCredentialsDir or TENCENTCLOUD_SHARED_CREDENTIALS_DIR
//     or ~/.tccli, and profile is Config.Profile or TENCENTCLOUD_PROFILE or "default". A profile that
//     was named explicitly must exist; the implicit "default" profile is skipped when absent.
//  4. The CVM instance role named by Config.CAMRoleName or TENCENTCLOUD_CAM_ROLE_NAME, read from the
//     metadata service with a short timeout. The metadata service is contacted only when a role name
//     is set.
//
// When none of them applies, the error (ErrNoCredentials) names every argument and environment
// variable that could have supplied credentials.
//
// When Config.AssumeRole is set, or TENCENTCLOUD_ASSUME_ROLE_ARN and
// TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME are both set, the winning credentials are exchanged for a
// role's temporary credentials with STS AssumeRole, and those sign every VOD call. Temporary
// credentials (from STS or the CVM role) are refreshed shortly before they expire.
//
// # Calls
//
// Calls are signed with TC3-HMAC-SHA256 by the official SDK's common client. The client adds what the
// SDK leaves out: an adaptive client-side rate limit per action, retries, typed errors carrying the
// API's code, message and RequestId, and logging through Config.Logger that never includes secrets.
//
// Each action has a token bucket (see limiter.go) capped by Config.RateLimit and the action's
// documented limit. Throttling (RequestLimitExceeded) lowers the bucket's rate, which climbs back
// once the throttling stops; the throttled call is sent again when the bucket allows, for as long as
// the context's deadline (or a two-minute budget) leaves time, without counting against MaxRetries.
//
// Transient failures (no response, a 5xx, InternalError) count against MaxRetries, wait a full-jitter
// exponential backoff, and are retried only for actions that are safe to repeat; a reply that is not
// an API response only for actions that change nothing (ApplyUpload, reads). Safe to repeat are
// those, DeleteMedia and ModifyMediaInfo (which set a state), CommitUpload (a session key
// commits at most once), CreateClass (a name is unique under its parent) and a
// ProcessMediaByProcedure that carries a SessionId (VOD refuses a repeated SessionId). When a CommitUpload attempt may have committed (its reply was lost or
// unreadable) and no attempt got the FileId, the media file may exist while its FileId is unknown:
// the error is then a *CommitOutcomeUnknownError, and FindUploadedMedia finds the file by its
// storage path with SearchMedia. Missing media files are reported with errors matching ErrMediaNotFound.
//
// # Tasks and classes
//
// StartProcedure starts a task flow with a SessionId, so that it can be retried: when VOD refuses the
// SessionId as used, or no attempt's reply arrived, the task that SessionId started is found with
// FindTaskBySession (DescribeTasks, which lists the last three days' tasks) instead of being started
// again. WaitForTask polls DescribeTaskDetail, waiting from one to 15 seconds between polls, until the
// task ends or the caller's context does; a poll that fails transiently does not end the wait.
// TaskDetail.Failure describes a task that ended in failure by its first failed sub-task. Likewise,
// CreateClass whose reply was lost looks the class up by parent and name (DescribeAllClass) when its
// retry is refused as a duplicate; a name already taken at the first attempt stays an error.
//
// # Uploads
//
// UploadFile sends a file to an upload session's bucket with the session's temporary certificate:
// one PUT for small files, otherwise a multipart upload whose parts are streamed from disk by a few
// workers, each part retried on its own. Transient object-storage failures are retried with backoff
// for as long as the caller's deadline and the session's credentials last, so an upload waits out an
// outage of the store; a part whose reply was lost is looked up (ListParts) rather than sent again.
// Every request's CRC-64 is checked by the object-storage SDK and the whole object's CRC-64 against
// the parts' combined CRC; a failed or cancelled multipart upload is aborted on a context of its own,
// so that no parts are left behind, and an upload that cannot be aborted is named in the error.
package vod
