package validators

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

var _ validator.String = checkValidator{}

// checkValidator runs a check function on a known string value. The message states what is allowed; the
// check's error says what is wrong with this value.
type checkValidator struct {
	allowed string
	check   func(string) error
	summary string // "" = "Invalid Attribute Value"
}

func (v checkValidator) Description(context.Context) string {
	return "value must be " + v.allowed
}

func (v checkValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v checkValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		summary := v.summary
		if summary == "" {
			summary = "Invalid Attribute Value"
		}
		resp.Diagnostics.AddAttributeError(req.Path, summary,
			"Attribute "+req.Path.String()+" "+v.Description(ctx)+", got "+quote(req.ConfigValue.ValueString())+": "+err.Error())
	}
}

// quote shows a value in a message as Go quotes it: invisible characters (a newline, DEL) are escaped,
// while "&", "<" and ">" stay as written (JSON would turn them into \u0026 and the like).
func quote(s string) string { return strconv.Quote(s) }

// Endpoint validates an API base URL (endpoint, sts_endpoint) exactly as the client parses it, so that an
// unusable endpoint fails `terraform validate` rather than the first API call.
func Endpoint() validator.String {
	return checkValidator{
		allowed: "a base URL scheme://host[:port] (http or https; a bare host means https) with no path",
		check: func(s string) error {
			_, err := vod.ParseEndpoint(s)
			return err
		},
	}
}

// COSEndpoint validates the object-storage URL template. The object-storage SDK silently drops any path in
// its base URL, so a template with a path would upload somewhere the user did not mean.
func COSEndpoint() validator.String {
	return checkValidator{
		allowed: "an http or https URL template with optional {bucket} and {region} placeholders and no path",
		check:   vod.ValidateCOSEndpoint,
	}
}

// Region validates the shape of a region ID; whether it exists is the API's answer.
func Region() validator.String {
	return checkValidator{allowed: "a Tencent Cloud region ID such as ap-guangzhou", check: vod.ValidateRegion}
}

// Domain validates the API root domain.
func Domain() validator.String {
	return checkValidator{allowed: "a domain name such as tencentcloudapi.com, without scheme or path", check: vod.ValidateDomain}
}

// JSONObject validates a JSON object, such as a CAM policy document. STS rejects a malformed policy only
// when the role is assumed; checking here reports it at validate time.
func JSONObject() validator.String {
	return checkValidator{
		allowed: "a JSON object",
		check: func(s string) error {
			var object map[string]any
			return json.Unmarshal([]byte(s), &object)
		},
	}
}
