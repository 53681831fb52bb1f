package emulator

import "fmt"

// ErrorCode is a Tencent Cloud API 3.0 error code as returned in Response.Error.Code.
//
// Common codes: https://www.tencentcloud.com/document/api/1036/38589 (shared by every product).
// VOD codes: vod/v20180717/errors.go of tencentcloud-sdk-go. STS codes: sts/v20180813/errors.go.
// If you add a code, use it from a handler and test that the handler returns it.
type ErrorCode string

// Authentication and signature codes (common).
const (
	// CodeInvalidAuthorization: the Authorization header is missing or malformed.
	CodeInvalidAuthorization ErrorCode = "AuthFailure.InvalidAuthorization"
	// CodeSecretIDNotFound: the SecretId does not exist (or was never minted here).
	CodeSecretIDNotFound ErrorCode = "AuthFailure.SecretIdNotFound"
	// CodeSignatureExpire: X-TC-Timestamp differs from server time by more than five minutes.
	CodeSignatureExpire ErrorCode = "AuthFailure.SignatureExpire"
	// CodeSignatureFailure: the signature does not match.
	CodeSignatureFailure ErrorCode = "AuthFailure.SignatureFailure"
	// CodeTokenFailure: the X-TC-Token of temporary credentials is missing, wrong or expired.
	CodeTokenFailure ErrorCode = "AuthFailure.TokenFailure"
	// CodeAuthUnauthorizedOperation: the caller is not allowed to do this (used for a wrong ExternalId).
	CodeAuthUnauthorizedOperation ErrorCode = "AuthFailure.UnauthorizedOperation"
)

// Request-envelope codes (common).
const (
	CodeInvalidAction            ErrorCode = "InvalidAction"
	CodeNoSuchProduct            ErrorCode = "NoSuchProduct"
	CodeNoSuchVersion            ErrorCode = "NoSuchVersion"
	CodeMissingParameter         ErrorCode = "MissingParameter"
	CodeUnknownParameter         ErrorCode = "UnknownParameter"
	CodeInvalidParameter         ErrorCode = "InvalidParameter"
	CodeInvalidParameterValue    ErrorCode = "InvalidParameterValue"
	CodeUnsupportedRegion        ErrorCode = "UnsupportedRegion"
	CodeUnsupportedProtocol      ErrorCode = "UnsupportedProtocol"
	CodeRequestLimitExceeded     ErrorCode = "RequestLimitExceeded"
	CodeRequestSizeLimitExceeded ErrorCode = "RequestSizeLimitExceeded"
	CodeInternalError            ErrorCode = "InternalError"
	CodeUnauthorizedOperation    ErrorCode = "UnauthorizedOperation"
	CodeResourceNotFound         ErrorCode = "ResourceNotFound"
	CodeFailedOperation          ErrorCode = "FailedOperation"
	CodeServiceUnavailable       ErrorCode = "ServiceUnavailable"
	CodeResourceUnavailable      ErrorCode = "ResourceUnavailable"
	CodeLimitExceeded            ErrorCode = "LimitExceeded"
	CodeUnsupportedOperation     ErrorCode = "UnsupportedOperation"
	CodeInvalidVodUser           ErrorCode = "FailedOperation.InvalidVodUser"
)

// VOD codes returned by ApplyUpload (vod/v20180717/errors.go).
const (
	CodeInvalidMediaType        ErrorCode = "InvalidParameterValue.MediaType"
	CodeInvalidCoverType        ErrorCode = "InvalidParameterValue.CoverType"
	CodeInvalidExpireTime       ErrorCode = "InvalidParameterValue.ExpireTime"
	CodeInvalidSubAppID         ErrorCode = "InvalidParameterValue.SubAppId"
	CodeInvalidStorageRegion    ErrorCode = "InvalidParameterValue.StorageRegion"
	CodeInvalidClassID          ErrorCode = "InvalidParameterValue.ClassId"
	CodeSessionContextTooLong   ErrorCode = "InvalidParameterValue.SessionContextTooLong"
	CodeInvalidMediaStoragePath ErrorCode = "InvalidParameterValue.MediaStoragePath"
	CodeProcedureNameNotExist   ErrorCode = "InvalidParameter.ProcedureNameNotExist"
	CodeInvalidVodSessionKey    ErrorCode = "InvalidParameterValue.VodSessionKey"
)

// VOD codes returned by the media actions (CommitUpload, DescribeMediaInfos, DeleteMedia,
// ModifyMediaInfo; vod/v20180717/errors.go).
const (
	CodeFileNotExist                 ErrorCode = "ResourceNotFound.FileNotExist"
	CodeFileIDsEmpty                 ErrorCode = "InvalidParameterValue.FileIdsEmpty"
	CodeInvalidFileIDs               ErrorCode = "InvalidParameterValue.FileIds"
	CodeInvalidFilters               ErrorCode = "InvalidParameterValue.Filters"
	CodeInvalidName                  ErrorCode = "InvalidParameterValue.Name"
	CodeInvalidDescription           ErrorCode = "InvalidParameterValue.Description"
	CodeTagTooLong                   ErrorCode = "InvalidParameterValue.TagTooLong"
	CodeImageDecodeError             ErrorCode = "InvalidParameterValue.ImageDecodeError"
	CodeAddTagsAndClearTagsConflict  ErrorCode = "InvalidParameterValue.AddTagsAndClearTagsConflict"
	CodeAddTagsAndDeleteTagsConflict ErrorCode = "InvalidParameterValue.AddTagsAndDeleteTagsConflict"
	CodeTagCountReachMax             ErrorCode = "LimitExceeded.TagCountReachMax"

	CodeKeyFrameDescContentTooLong                     ErrorCode = "InvalidParameterValue.KeyFrameDescContentTooLong"
	CodeAddKeyFrameDescsAndClearKeyFrameDescsConflict  ErrorCode = "InvalidParameterValue.AddKeyFrameDescsAndClearKeyFrameDescsConflict"
	CodeAddKeyFrameDescsAndDeleteKeyFrameDescsConflict ErrorCode = "InvalidParameterValue.AddKeyFrameDescsAndDeleteKeyFrameDescsConflict"
	CodeKeyFrameDescCountReachMax                      ErrorCode = "LimitExceeded.KeyFrameDescCountReachMax"
)

// STS codes returned by AssumeRole (sts/v20180813/errors.go).
const (
	CodeSTSParamError          ErrorCode = "InvalidParameter.ParamError"
	CodeSTSOverTimeError       ErrorCode = "InvalidParameter.OverTimeError"
	CodeSTSPolicyTooLong       ErrorCode = "InvalidParameter.PolicyTooLong"
	CodeSTSStrategyFormatError ErrorCode = "InvalidParameter.StrategyFormatError"
	CodeSTSStrategyInvalid     ErrorCode = "InvalidParameter.StrategyInvalid"
	CodeSTSRoleNotFound        ErrorCode = "ResourceNotFound.RoleNotFound"
)

// apiError is the Error object of the response envelope. Messages follow the English wording of the real
// gateway where it is known; they never contain secrets.
type apiError struct {
	Code    ErrorCode
	Message string
}

func (e *apiError) Error() string { return fmt.Sprintf("[%s] %s", e.Code, e.Message) }

func newAPIError(code ErrorCode, format string, args ...any) *apiError {
	return &apiError{Code: code, Message: fmt.Sprintf(format, args...)}
}

func errMissingParameter(name string) *apiError {
	return newAPIError(CodeMissingParameter, "The request is missing a required parameter `%s`.", name)
}

func errUnknownParameter(name string) *apiError {
	return newAPIError(CodeUnknownParameter, "The parameter `%s` is not recognized.", name)
}

func errParameterType(name, want string) *apiError {
	return newAPIError(CodeInvalidParameter, "The value type of parameter `%s` is not valid: expected %s.", name, want)
}
