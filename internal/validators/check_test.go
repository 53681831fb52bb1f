package validators

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func fixedNow() time.Time { return time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC) }

func TestValidators(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		validator validator.String
		value     types.String
		wantError string // "" = valid
	}{
		{"endpoint with scheme and port", Endpoint(), types.StringValue("http://127.0.0.1:9000"), ""},
		{"endpoint bare host", Endpoint(), types.StringValue("vod.tencentcloudapi.com"), ""},
		{"endpoint trailing slash", Endpoint(), types.StringValue("https://vod.example.com/"), ""},
		{"endpoint with path", Endpoint(), types.StringValue("https://vod.example.com/v1"), "must not have a path"},
		{"endpoint ftp", Endpoint(), types.StringValue("ftp://vod.example.com"), "scheme must be http or https"},
		{"cos template", COSEndpoint(), types.StringValue("https://{bucket}.cos.{region}.myqcloud.com"), ""},
		{"cos single base URL", COSEndpoint(), types.StringValue("http://127.0.0.1:9000"), ""},
		{"cos unknown placeholder", COSEndpoint(), types.StringValue("https://{appid}.cos.example.com"), "unknown placeholder {appid}"},
		{"cos with path", COSEndpoint(), types.StringValue("http://127.0.0.1:9000/bucket"), "must not have a path"},
		{"region", Region(), types.StringValue("ap-beijing-1"), ""},
		{"region capitalised", Region(), types.StringValue("Ap-Guangzhou"), "must look like ap-guangzhou"},
		{"domain", Domain(), types.StringValue("intl.tencentcloudapi.com"), ""},
		{"domain with scheme", Domain(), types.StringValue("https://tencentcloudapi.com"), "without scheme"},
		{"policy", JSONObject(), types.StringValue(`{"version":"2.0","statement":[]}`), ""},
		{"policy array", JSONObject(), types.StringValue(`[]`), "cannot unmarshal array"},
		{"name", NoControlCharacters(), types.StringValue("presigned clip (1) 视频 – final"), ""},
		{"name with a newline", NoControlCharacters(), types.StringValue("clip\n"), "U+000A at byte 4"},
		{"name with a tab", NoControlCharacters(), types.StringValue("a\tb"), "U+0009 at byte 1"},
		{"name with DEL", NoControlCharacters(), types.StringValue("clip\x7f"), "U+007F"},
		{"name with NUL", NoControlCharacters(), types.StringValue("\x00"), "U+0000"},
		{"duration", Duration(), types.StringValue("1h30m"), ""},
		{"not a duration", Duration(), types.StringValue("soon"), `invalid duration "soon"`},
		{"zero duration", Duration(), types.StringValue("0s"), `got "0s": an operation would have no time at all`},
		{"negative duration", Duration(), types.StringValue("-1s"), "no time at all"},
		{"null is left to Required/Optional", Endpoint(), types.StringNull(), ""},
		{"unknown is checked once known", COSEndpoint(), types.StringUnknown(), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := validator.StringRequest{Path: path.Root("argument"), ConfigValue: tc.value}
			var resp validator.StringResponse
			tc.validator.ValidateString(context.Background(), req, &resp)
			switch {
			case tc.wantError == "" && resp.Diagnostics.HasError():
				t.Errorf("rejected: %v", resp.Diagnostics)
			case tc.wantError != "" && !resp.Diagnostics.HasError():
				t.Errorf("accepted; want an error containing %q", tc.wantError)
			case tc.wantError != "":
				detail := resp.Diagnostics[0].Detail()
				if !strings.Contains(detail, tc.wantError) || !strings.HasPrefix(detail, "Attribute argument value must be ") {
					t.Errorf("detail %q; want it to name the attribute, say what is allowed and contain %q", detail, tc.wantError)
				}
			}
		})
	}
}

func TestCheckNotInPast(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, value string
		wantError   string // "" = accepted
	}{
		{"future time", "2026-03-01T10:00:01Z", ""},
		{"future time with offset", "2026-03-01T18:00:01+08:00", ""},
		{"the current time", "2026-03-01T18:00:00+08:00", "the current time is 2026-03-01T10:00:00Z"},
		{"past time", "2020-01-01T00:00:00Z", "the current time is 2026-03-01T10:00:00Z, so VOD would delete the media at once"},
		{"malformed time is left to the type", "yesterday", ""},
	}
	for _, tc := range cases {
		err := CheckNotInPast(tc.value, fixedNow())
		switch {
		case tc.wantError == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.name, err)
		case tc.wantError != "" && (err == nil || !strings.Contains(err.Error(), tc.wantError)):
			t.Errorf("%s: error %v; want one containing %q", tc.name, err, tc.wantError)
		}
	}
}

// A refused value is shown as written, with invisible characters escaped.
func TestValidatorsQuoteTheValueReadably(t *testing.T) {
	t.Parallel()
	cases := []struct {
		validator validator.String
		value     string
		want      string
	}{
		{NoControlCharacters(), "clip\x7f", `got "clip\x7f"`},
		{NoControlCharacters(), "a<b>&c\n", `got "a<b>&c\n"`},
		{Endpoint(), "https://vod.example.com/v1?a=1&b=2", `got "https://vod.example.com/v1?a=1&b=2"`},
	}
	for _, tc := range cases {
		req := validator.StringRequest{Path: path.Root("argument"), ConfigValue: types.StringValue(tc.value)}
		var resp validator.StringResponse
		tc.validator.ValidateString(context.Background(), req, &resp)
		if !resp.Diagnostics.HasError() || !strings.Contains(resp.Diagnostics[0].Detail(), tc.want) {
			t.Errorf("%q: diagnostics %v; want the detail to contain %s", tc.value, resp.Diagnostics, tc.want)
		}
	}
}
