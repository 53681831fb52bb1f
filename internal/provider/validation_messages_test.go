package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// When an argument's value comes from a variable, Terraform shows some validation errors (an ephemeral
// resource's, at least) without their source location, so each message must name its attribute in its
// own text. Each case feeds one bad value through a variable and expects "Attribute <name>" followed by
// what is allowed. The expectation never matches the source snippet Terraform may print
// ("<name> = var.v"), so a message without the name fails the case.

// badValue is one argument set, through var.v, to a value its validation refuses.
type badValue struct {
	argument string          // the argument's lines in the block, reading var.v
	value    config.Variable // the bad value of var.v
	message  string          // the expected message after "Attribute "; spaces match any line wrapping
}

func runBadValues(t *testing.T, configFor func(argument string) string, variableType string, cases map[string]badValue) {
	t.Helper()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runTest(t, resource.TestCase{
				TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
				Steps: []resource.TestStep{{
					Config:          fmt.Sprintf("variable \"v\" {\n  type = %s\n}\n", variableType) + configFor(tc.argument),
					ConfigVariables: config.Variables{"v": tc.value},
					ExpectError:     attributeMessage(tc.message),
				}},
			})
		})
	}
}

// attributeMessage matches "Attribute " and message across Terraform's line wrapping.
func attributeMessage(message string) *regexp.Regexp {
	words := strings.Fields(regexp.QuoteMeta("Attribute " + message))
	return regexp.MustCompile(`(?s)` + strings.Join(words, `\s+`))
}

func str(s string) config.Variable { return config.StringVariable(s) }
func num(n int) config.Variable    { return config.IntegerVariable(n) }

var pastTime = str("2020-01-01T00:00:00Z")

func TestAccValidationMessages_uploadSession(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	session := func(argument string) string {
		if !strings.Contains(argument, "media_type") {
			argument = `media_type = "mp4"` + "\n" + argument
		}
		return env.providerConfig() + "ephemeral \"tencentvod_upload_session\" \"test\" {\n" + argument + "\n}\n"
	}
	runBadValues(t, session, "string", map[string]badValue{
		"media_type":       {`media_type = var.v`, str("exe"), `media_type value must be one of`},
		"cover_type":       {`cover_type = var.v`, str("mp4"), `cover_type value must be one of`},
		"expire_time":      {`expire_time = var.v`, str("tomorrow"), `expire_time value must be an RFC 3339 date-time`},
		"expire_time past": {`expire_time = var.v`, pastTime, `expire_time value must be a time in the future, got "2020-01-01T00:00:00Z": the current time is`},
		"ext_info":         {`ext_info = var.v`, str(""), `ext_info string length must be at least 1`},
		"media_name":       {`media_name = var.v`, str(""), `media_name string length must be at least 1`},
		"media_name LF":    {`media_name = var.v`, str("clip\nname"), `media_name value must be free of control characters`},
		"media_name DEL":   {`media_name = var.v`, str("clip\x7f"), `media_name value must be free of control characters`},
		"procedure":        {`procedure = var.v`, str("Long\tVideo"), `procedure value must be free of control characters`},
		"session_context":  {`session_context = var.v`, str(strings.Repeat("x", 1001)), `session_context UTF-8 character count must be at most 1000`},
		"source_context":   {`source_context = var.v`, str(strings.Repeat("x", 251)), `source_context UTF-8 character count must be at most 250`},
		"storage_region":   {`storage_region = var.v`, str("Chongqing"), `storage_region value must be a Tencent Cloud region ID`},
		"timeouts.open":    {"timeouts {\n open = var.v\n}", str("soon"), `timeouts.open value must be a positive duration`},
	})
	runBadValues(t, session, "number", map[string]badValue{
		"class_id":   {`class_id = var.v`, num(-1), `class_id value must be at least 0`},
		"sub_app_id": {`sub_app_id = var.v`, num(0), `sub_app_id value must be at least 1`},
	})
	if n := env.apiAttempts(""); n != 0 {
		t.Errorf("%d API calls were made for refused arguments", n)
	}
}

func TestAccValidationMessages_media(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	video, _ := newMediaFiles(t).random("clip.mp4", 1024)
	media := func(argument string) string {
		if !strings.Contains(argument, "source") && !strings.Contains(argument, "vod_session_key_wo") {
			argument = fmt.Sprintf("source = %q\n", video) + argument
		}
		return env.providerConfig() + "resource \"tencentvod_media\" \"test\" {\n" + argument + "\n}\n"
	}
	runBadValues(t, media, "string", map[string]badValue{
		"source":              {`source = var.v`, str(""), `source string length must be at least 1`},
		"vod_session_key_wo":  {`vod_session_key_wo = var.v`, str(""), `vod_session_key_wo string length must be at least 1`},
		"media_type":          {`media_type = var.v`, str("docx"), `media_type value must be one of`},
		"media_name":          {`media_name = var.v`, str(strings.Repeat("m", 65)), `media_name UTF-8 character count must be at most 64`},
		"media_name LF":       {`media_name = var.v`, str("clip\n"), `media_name value must be free of control characters (U+0000 to U+001F and U+007F), got "clip\n": it has U+000A at byte 4`},
		"cover_type":          {`cover_type = var.v`, str("webp"), `cover_type value must be one of`},
		"expire_time":         {`expire_time = var.v`, str("2031-01-02 08:00"), `expire_time value must be an RFC 3339 date-time`},
		"expire_time past":    {`expire_time = var.v`, pastTime, `expire_time value must be a time in the future`},
		"procedure":           {`procedure = var.v`, str(""), `procedure string length must be at least 1`},
		"storage_region":      {`storage_region = var.v`, str("Guangzhou"), `storage_region value must be a Tencent Cloud region ID`},
		"source_context":      {`source_context = var.v`, str(strings.Repeat("c", 251)), `source_context UTF-8 character count must be at most 250`},
		"session_context":     {`session_context = var.v`, str(strings.Repeat("c", 1001)), `session_context UTF-8 character count must be at most 1000`},
		"cover_source":        {`cover_source = var.v`, str(""), `cover_source string length must be at least 1`},
		"description":         {`description = var.v`, str(strings.Repeat("d", 129)), `description UTF-8 character count must be at most 128`},
		"tags element":        {`tags = [var.v]`, str(strings.Repeat("t", 33)), `tags[Value("` + strings.Repeat("t", 33) + `")] string length must be between 1 and 32`},
		"tags control":        {`tags = [var.v]`, str("a\tb"), `tags[Value("a\tb")] value must be free of control characters`},
		"timeouts.create":     {"timeouts {\n create = var.v\n}", str("1 hour"), `timeouts.create value must be a positive duration`},
		"timeouts.create 0s":  {"timeouts {\n create = var.v\n}", str("0s"), `timeouts.create value must be a positive duration such as "30s", "5m" or "1h30m", got "0s"`},
		"timeouts.delete -1s": {"timeouts {\n delete = var.v\n}", str("-1s"), `timeouts.delete value must be a positive duration such as "30s", "5m" or "1h30m", got "-1s"`},
	})
	runBadValues(t, media, "number", map[string]badValue{
		"class_id":             {`class_id = var.v`, num(-1), `class_id value must be at least 0`},
		"sub_app_id":           {`sub_app_id = var.v`, num(0), `sub_app_id value must be at least 1`},
		"upload_part_size_mib": {`upload_part_size_mib = var.v`, num(0), `upload_part_size_mib value must be between 1 and 5120`},
		"upload_concurrency":   {`upload_concurrency = var.v`, num(65), `upload_concurrency value must be between 1 and 64`},
	})
	runBadValues(t, media, "list(string)", map[string]badValue{
		"tags count": {`tags = var.v`, config.ListVariable(tagVariables(17)...), `tags set must contain at most 16 elements`},
	})
	if n := env.apiAttempts(""); n != 0 {
		t.Errorf("%d API calls were made for refused arguments", n)
	}
}

func tagVariables(n int) []config.Variable {
	tags := make([]config.Variable, n)
	for i := range tags {
		tags[i] = str(fmt.Sprintf("tag-%d", i))
	}
	return tags
}

func TestAccValidationMessages_mediaDataSource(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	lookup := func(argument string) string {
		if !strings.Contains(argument, "file_id") {
			argument = `file_id = "5285890799999999999"` + "\n" + argument
		}
		return env.providerConfig() + "data \"tencentvod_media\" \"test\" {\n" + argument + "\n}\n"
	}
	runBadValues(t, lookup, "string", map[string]badValue{
		"file_id": {`file_id = var.v`, str("abc"), `file_id must be a VOD file ID: a string of digits`},
	})
	runBadValues(t, lookup, "number", map[string]badValue{
		"sub_app_id": {`sub_app_id = var.v`, num(0), `sub_app_id value must be at least 1`},
	})
}

func TestAccValidationMessages_provider(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	// An upload session that opens nothing makes Terraform configure the provider without an API call.
	withProvider := func(argument string) string {
		return env.providerConfig(argument) + `
ephemeral "tencentvod_upload_session" "test" {
  media_type = "mp4"
  enabled    = false
}
`
	}
	runBadValues(t, withProvider, "string", map[string]badValue{
		"cam_role_name":          {`cam_role_name = var.v`, str(""), `cam_role_name string length must be at least 1`},
		"cos_endpoint":           {`cos_endpoint = var.v`, str("http://127.0.0.1:9000/bucket"), `cos_endpoint value must be an http or https URL template`},
		"domain":                 {`domain = var.v`, str("https://tencentcloudapi.com"), `domain value must be a domain name`},
		"endpoint":               {`endpoint = var.v`, str("ftp://vod.example.com"), `endpoint value must be a base URL`},
		"profile":                {`profile = var.v`, str(""), `profile string length must be at least 1`},
		"region":                 {`region = var.v`, str("Ap-Guangzhou"), `region value must be a Tencent Cloud region ID`},
		"secret_id":              {`secret_id = var.v`, str(""), `secret_id string length must be at least 1`},
		"secret_key":             {`secret_key = var.v`, str(""), `secret_key string length must be at least 1`},
		"security_token":         {`security_token = var.v`, str(""), `security_token string length must be at least 1`},
		"shared_credentials_dir": {`shared_credentials_dir = var.v`, str(""), `shared_credentials_dir string length must be at least 1`},
		"sts_endpoint":           {`sts_endpoint = var.v`, str("https://sts.example.com/v1"), `sts_endpoint value must be a base URL`},
		"assume_role.role_arn": {"assume_role {\n role_arn = var.v\n session_name = \"s1\"\n}", str("arn:aws:iam::1:role/x"),
			`assume_role[0].role_arn must look like qcs::cam::uin/<account id>:roleName/<role name>`},
		"assume_role.session_name": {"assume_role {\n role_arn = \"qcs::cam::uin/1:roleName/r\"\n session_name = var.v\n}", str("a b"),
			`assume_role[0].session_name must be 2 to 128 characters`},
		"assume_role.external_id": {"assume_role {\n role_arn = \"qcs::cam::uin/1:roleName/r\"\n session_name = \"s1\"\n external_id = var.v\n}", str(""),
			`assume_role[0].external_id string length must be at least 1`},
		"assume_role.policy": {"assume_role {\n role_arn = \"qcs::cam::uin/1:roleName/r\"\n session_name = \"s1\"\n policy = var.v\n}", str("[]"),
			`assume_role[0].policy value must be a JSON object`},
	})
	runBadValues(t, withProvider, "number", map[string]badValue{
		"max_retries":     {`max_retries = var.v`, num(-1), `max_retries value must be between 0 and`},
		"rate_limit":      {`rate_limit = var.v`, num(0), `rate_limit value must be at least 1`},
		"request_timeout": {`request_timeout = var.v`, num(0), `request_timeout value must be between 1 and 3600`},
		"sub_app_id":      {`sub_app_id = var.v`, num(0), `sub_app_id value must be at least 1`},
		"assume_role.session_duration": {"assume_role {\n role_arn = \"qcs::cam::uin/1:roleName/r\"\n session_name = \"s1\"\n session_duration = var.v\n}", num(0),
			`assume_role[0].session_duration value must be between 1 and 43200`},
	})
}

// A media name taken from a file name with a control character is refused at plan, naming media_name.
func TestAccValidationMessages_mediaNameFromFileName(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	files := newMediaFiles(t)
	video, _ := files.random("clip\nfinal.mp4", 1024)
	runTest(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{{
			Config:          env.providerConfig() + "variable \"file\" {\n  type = string\n}\nresource \"tencentvod_media\" \"test\" {\n  source = var.file\n}\n",
			ConfigVariables: config.Variables{"file": str(video)},
			ExpectError: wrapTolerant(`(?s)Cannot Infer media_name.*base name of source without its extension, ` +
				`"clip\\nfinal", but it has U\+000A at byte 4, a control character VOD does not accept in names`),
		}},
	})
	if n := env.apiAttempts(""); n != 0 {
		t.Errorf("%d API calls were made for a refused name", n)
	}
}

// An expire_time known only at apply cannot be judged at plan: the plan succeeds, and a time still in
// the future is accepted when it becomes known.
func TestAccValidationMessages_unknownExpireTimePasses(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	future := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
	runTest(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + fmt.Sprintf(`
resource "terraform_data" "expiry" {
  input = %q
}

ephemeral "tencentvod_upload_session" "test" {
  media_type  = "mp4"
  expire_time = terraform_data.expiry.output
}
`, future) + echoProviderConfig,
		}},
	})
	if len(env.emu.Sessions()) == 0 {
		t.Error("no session was opened with the expire_time known at apply")
	}
}
