package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Services and their API versions (X-TC-Version).
const (
	ServiceVOD = "vod"
	ServiceSTS = "sts"

	VersionVOD = "2018-07-17"
	VersionSTS = "2018-08-13"
)

// maxRequestBytes is the API 3.0 limit for a POST body (10 MB).
const maxRequestBytes = 10 << 20

// apiCall is an authenticated request that passed the envelope checks, handed to an action handler.
type apiCall struct {
	Action    string
	Service   string
	Region    string
	RequestID string
	Caller    verifiedCaller
	Body      []byte
	Now       time.Time
	Language  string
	UserAgent string
}

// decode strictly decodes the request parameters into dst (see decodeParams).
func (c *apiCall) decode(dst any) *apiError {
	_, apiErr := decodeParams(c.Body, dst)
	return apiErr
}

// actionHandler returns the response fields (a struct encoding to a JSON object) or an error; the
// envelope and RequestId are added by writeEnvelope.
type actionHandler func(call *apiCall) (any, *apiError)

type regionRule int

const (
	regionOptional regionRule = iota // checked against Options.Regions only when sent
	regionRequired                   // X-TC-Region must be sent (the action's reference lists Region as required)
)

type actionSpec struct {
	handler actionHandler
	region  regionRule
}

type serviceSpec struct {
	version string
	actions map[string]actionSpec
}

// apiTable is the single list of emulated actions. The VOD upload and media actions list Region as
// required; every VOD action is rate limited (see rateLimits).
func (s *Server) apiTable() map[string]serviceSpec {
	return map[string]serviceSpec{
		ServiceVOD: {version: VersionVOD, actions: map[string]actionSpec{
			"ApplyUpload":        {handler: s.applyUpload, region: regionRequired},
			"CommitUpload":       {handler: s.commitUpload, region: regionRequired},
			"DescribeMediaInfos": {handler: s.describeMediaInfos, region: regionRequired},
			"DeleteMedia":        {handler: s.deleteMedia, region: regionRequired},
			"ModifyMediaInfo":    {handler: s.modifyMediaInfo, region: regionRequired},
			"SearchMedia":        {handler: s.searchMedia, region: regionRequired},
			// ParseStreamingManifest reads no stored data, so no region is needed.
			"ParseStreamingManifest": {handler: s.parseStreamingManifest, region: regionOptional},

			"ProcessMediaByProcedure": {handler: s.processMediaByProcedure, region: regionRequired},
			"DescribeTaskDetail":      {handler: s.describeTaskDetail, region: regionRequired},
			"DescribeTasks":           {handler: s.describeTasks, region: regionRequired},
			// Whether the class actions require Region is not documented; they accept it either way.
			"CreateClass":      {handler: s.createClass, region: regionOptional},
			"DescribeAllClass": {handler: s.describeAllClass, region: regionOptional},
			"ModifyClass":      {handler: s.modifyClass, region: regionOptional},
			"DeleteClass":      {handler: s.deleteClass, region: regionOptional},
		}},
		ServiceSTS: {version: VersionSTS, actions: map[string]actionSpec{
			"AssumeRole": {handler: s.assumeRole, region: regionOptional},
		}},
	}
}

// serveAPI answers one Tencent Cloud API 3.0 request (POST / with X-TC-Action).
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	action := r.Header.Get("X-TC-Action")
	s.calls.countAttempt(action)
	requestID := newRequestID()
	if !sleepContext(r.Context(), s.opts.Latency) {
		return
	}
	f, faulted := s.faults.take(action)
	if faulted && !f.AfterDispatch && applyFault(w, r, f, requestID) {
		s.logCall(action, requestID, "", f.describe())
		return
	}
	service, payload, apiErr := s.handleAPI(r, action, requestID)
	if faulted && f.AfterDispatch && applyFault(w, r, f, requestID) {
		s.logCall(action, requestID, service, f.describe())
		return
	}
	writeEnvelope(w, requestID, payload, apiErr)
	code := ""
	if apiErr != nil {
		code = string(apiErr.Code)
	}
	s.logCall(action, requestID, service, code)
}

// handleAPI runs the envelope checks (protocol, action, service, version, authentication, region, rate
// limit; the gateway's real precedence is not documented) and dispatches to the action's handler.
func (s *Server) handleAPI(r *http.Request, action, requestID string) (string, any, *apiError) {
	if r.Method != http.MethodPost {
		return "", nil, newAPIError(CodeUnsupportedProtocol,
			"The emulator serves API 3.0 requests as POST with a JSON body; %s is not supported.", r.Method)
	}
	if action == "" {
		return "", nil, errMissingParameter("Action")
	}
	if !isJSONContentType(r.Header.Get("Content-Type")) {
		return "", nil, newAPIError(CodeInvalidParameter, "Content-Type must be application/json.")
	}
	body, apiErr := readBody(r)
	if apiErr != nil {
		return "", nil, apiErr
	}
	auth, apiErr := parseTC3Authorization(r.Header.Get("Authorization"))
	if apiErr != nil {
		return "", nil, apiErr
	}
	serviceName := s.endpointService(r, action, auth.Service)
	service, ok := s.api[serviceName]
	if !ok {
		return serviceName, nil, newAPIError(CodeNoSuchProduct,
			"The service `%s` of the host is not emulated here (vod, sts).", serviceName)
	}
	if auth.Service != serviceName {
		// The endpoint derives the signing key with its own service name, so a scope naming another
		// service is a signature that cannot verify.
		return serviceName, nil, errSignatureFailure()
	}
	spec, apiErr := lookupAction(service, r.Header.Get("X-TC-Version"), action)
	if apiErr != nil {
		return serviceName, nil, apiErr
	}
	now := s.opts.Clock()
	caller, apiErr := verifyTC3(newSignedRequest(r, body), now, s.creds.lookup)
	if apiErr != nil {
		return serviceName, nil, apiErr
	}
	region := r.Header.Get("X-TC-Region")
	if apiErr := s.checkRegion(spec, region); apiErr != nil {
		return serviceName, nil, apiErr
	}
	if apiErr := s.limits.allow(serviceName, action, now); apiErr != nil {
		return serviceName, nil, apiErr
	}
	call := &apiCall{Action: action, Service: serviceName, Region: region, RequestID: requestID,
		Caller: caller, Body: body, Now: now,
		Language: r.Header.Get("X-TC-Language"), UserAgent: r.Header.Get("User-Agent")}
	payload, apiErr := spec.handler(call)
	s.recordCall(call, apiErr)
	return serviceName, payload, apiErr
}

func lookupAction(service serviceSpec, version, action string) (actionSpec, *apiError) {
	if version == "" {
		return actionSpec{}, errMissingParameter("Version")
	}
	if version != service.version {
		return actionSpec{}, newAPIError(CodeNoSuchVersion, "The API version `%s` does not exist.", version)
	}
	spec, ok := service.actions[action]
	if !ok {
		return actionSpec{}, newAPIError(CodeInvalidAction, "The requested action `%s` does not exist.", action)
	}
	return spec, nil
}

func (s *Server) checkRegion(spec actionSpec, region string) *apiError {
	if region == "" {
		if spec.region == regionRequired {
			return errMissingParameter("Region")
		}
		return nil
	}
	if !slices.Contains(s.opts.Regions, region) {
		return newAPIError(CodeUnsupportedRegion, "The region `%s` is not supported.", region)
	}
	return nil
}

func (s *Server) recordCall(call *apiCall, apiErr *apiError) {
	c := Call{Action: call.Action, Service: call.Service, Region: call.Region, SecretID: call.Caller.SecretID,
		Token: call.Caller.Token, Params: genericParams(call.Body), RequestID: call.RequestID,
		Language: call.Language, UserAgent: call.UserAgent}
	if apiErr != nil {
		c.Code = string(apiErr.Code)
	}
	s.calls.record(c)
}

// genericParams decodes the body for the call log; numbers stay exact as json.Number.
func genericParams(body []byte) map[string]any {
	params := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&params) != nil {
		return nil
	}
	return params
}

// isJSONContentType accepts "application/json" with at most a UTF-8 charset parameter.
func isJSONContentType(value string) bool {
	mediaType, params, err := mime.ParseMediaType(value)
	if err != nil || mediaType != "application/json" {
		return false
	}
	for name, v := range params {
		if name != "charset" || !strings.EqualFold(v, "utf-8") {
			return false
		}
	}
	return true
}

func readBody(r *http.Request) ([]byte, *apiError) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxRequestBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, newAPIError(CodeRequestSizeLimitExceeded, "The request body exceeds %d bytes.", maxRequestBytes)
	}
	if err != nil {
		return nil, newAPIError(CodeInvalidParameter, "The request body could not be read.")
	}
	return body, nil
}

// endpointService is the service a request was sent to. Real endpoints name it in the host
// (vod.tencentcloudapi.com). The emulator serves every service on one address, so there it is the
// service whose version and action the request names, else the one its credential scope names, else
// VOD. A scope naming another service than the one found this way then fails as on a real endpoint.
func (s *Server) endpointService(r *http.Request, action, scopeService string) string {
	if name := tencentCloudHostService(r.Host); name != "" {
		return name
	}
	version := r.Header.Get("X-TC-Version")
	for name, service := range s.api {
		if _, ok := service.actions[action]; ok && service.version == version {
			return name
		}
	}
	if _, ok := s.api[scopeService]; ok {
		return scopeService
	}
	return ServiceVOD
}

// tencentCloudHostService returns "vod" for hosts like vod.tencentcloudapi.com or
// vod.ap-guangzhou.intl.tencentcloudapi.com, and "" for anything else (e.g. 127.0.0.1:port).
func tencentCloudHostService(host string) string {
	host = strings.ToLower(host)
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	if !strings.HasSuffix(host, ".tencentcloudapi.com") {
		return ""
	}
	service, _, _ := strings.Cut(host, ".")
	return service
}

func (s *Server) logCall(action, requestID, service, code string) {
	if s.opts.Logger == nil {
		return
	}
	if code == "" {
		code = "OK"
	}
	s.opts.Logger.Info("api call", "service", service, "action", action, "request_id", requestID, "code", code)
}
