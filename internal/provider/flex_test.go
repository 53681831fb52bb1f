package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

func TestFlattenMediaInfo(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	info := &vod.MediaInfo{
		FileID: "111",
		BasicInfo: &vod.MediaBasicInfo{
			Name: "clip", Description: "d", ClassID: 3, ClassName: "Films", MediaURL: "http://m", CoverURL: "",
			Type: "mp4", Category: "Video", Status: "Normal", StorageClass: "STANDARD", StorageRegion: "ap-guangzhou",
			TagSet: []string{"b", "a"}, CreateTime: "2024-01-02T03:04:05Z", UpdateTime: "2024-01-03T03:04:05Z",
			ExpireTime: vod.NeverExpires,
		},
		MetaData: &vod.MediaMetaData{Size: 42},
	}
	v, diags := flattenMediaInfo(ctx, info, timetypes.NewRFC3339Null())
	if diags.HasError() || len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	created, _ := v.CreateTime.ValueRFC3339Time()
	switch {
	case v.FileID.ValueString() != "111" || v.Name.ValueString() != "clip" || v.ClassName.ValueString() != "Films":
		t.Errorf("identity: %+v", v)
	case !v.CoverURL.IsNull():
		t.Errorf("an empty cover URL is null, got %v", v.CoverURL)
	case v.Size.ValueInt64() != 42 || len(v.Tags.Elements()) != 2:
		t.Errorf("size %v, tags %v", v.Size, v.Tags)
	case !created.Equal(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)):
		t.Errorf("create time %v", v.CreateTime)
	case !v.ExpireTime.IsNull():
		t.Errorf("a media that never expires has a null expiry, got %v", v.ExpireTime)
	}

	// Sections VOD did not return are empty values, not a crash.
	v, diags = flattenMediaInfo(ctx, &vod.MediaInfo{FileID: "222"}, timetypes.NewRFC3339Null())
	if diags.HasError() || v.Size.ValueInt64() != 0 || v.Tags.IsNull() || len(v.Tags.Elements()) != 0 || !v.CreateTime.IsNull() {
		t.Errorf("empty media: %+v, %v", v, diags)
	}
}

func TestFlattenExpireTime(t *testing.T) {
	t.Parallel()
	configured := timetypes.NewRFC3339ValueMust("2030-01-01T08:00:00+08:00")
	tests := map[string]struct {
		api     string
		known   timetypes.RFC3339
		want    timetypes.RFC3339
		warning bool
	}{
		"never":                       {vod.NeverExpires, configured, timetypes.NewRFC3339Null(), false},
		"absent":                      {"", configured, timetypes.NewRFC3339Null(), false},
		"same instant keeps spelling": {"2030-01-01T00:00:00Z", configured, configured, false},
		"another instant":             {"2031-01-01T00:00:00Z", configured, timetypes.NewRFC3339ValueMust("2031-01-01T00:00:00Z"), false},
		"malformed keeps known":       {"soon", configured, configured, true},
		"malformed without known":     {"soon", timetypes.NewRFC3339Null(), timetypes.NewRFC3339Null(), true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, diags := flattenExpireTime("111", tt.api, tt.known)
			if !got.Equal(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if hasWarning := diags.WarningsCount() == 1; hasWarning != tt.warning || diags.HasError() {
				t.Errorf("diagnostics %v, want a warning: %v", diags, tt.warning)
			}
		})
	}
}

// The resource and the data source treat a malformed expiry the same way: a warning naming the media and
// the value, and no guess.
func TestMalformedExpiryTreatedAlike(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	info := &vod.MediaInfo{FileID: "111", BasicInfo: &vod.MediaBasicInfo{ExpireTime: "2030-13-45"}}
	kept := timetypes.NewRFC3339ValueMust("2030-01-01T00:00:00Z")

	resource := mediaResourceModel{ExpireTime: kept, MediaType: types.StringNull(), CoverType: types.StringNull()}
	resourceDiags := resource.flattenMediaInfo(ctx, info)
	var data mediaDataSourceModel
	dataDiags := data.flatten(ctx, info)

	for name, diags := range map[string]diag.Diagnostics{"resource": resourceDiags, "data source": dataDiags} {
		if diags.WarningsCount() != 1 || diags.HasError() || !strings.Contains(diags[0].Detail(), `ExpireTime "2030-13-45" for media 111`) {
			t.Errorf("%s: diagnostics %v", name, diags)
		}
	}
	if !resource.ExpireTime.Equal(kept) {
		t.Errorf("resource expiry %v, want the state's %v kept", resource.ExpireTime, kept)
	}
	if !data.ExpireTime.IsNull() {
		t.Errorf("data source expiry %v, want null", data.ExpireTime)
	}
}

func TestApplyUploadRequests(t *testing.T) {
	t.Parallel()
	expire := timetypes.NewRFC3339ValueMust("2030-01-01T08:00:00+08:00")
	media := mediaResourceModel{
		MediaType: types.StringValue("MP4"), MediaName: types.StringValue("clip"), CoverType: types.StringValue("jpg"),
		CoverSource: types.StringNull(), ClassID: types.Int64Unknown(), ExpireTime: expire, SubAppID: types.Int64Null(),
	}
	req, diags := media.applyUploadRequest()
	switch {
	case diags.HasError():
		t.Fatal(diags)
	case req.MediaType != "mp4" || req.MediaName != "clip":
		t.Errorf("request %+v", req)
	case req.CoverType != "":
		t.Errorf("cover type %q sent without a cover", req.CoverType)
	case req.ClassID != nil:
		t.Errorf("an unknown class was sent: %d", *req.ClassID)
	case req.ExpireTime == nil || !req.ExpireTime.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) || req.ExpireTime.Location() != time.UTC:
		t.Errorf("expire time %v, want 2030-01-01T00:00:00Z", req.ExpireTime)
	case req.SubAppID == nil || *req.SubAppID != 0:
		t.Errorf("a media without sub_app_id must send none, even with a provider default: %v", req.SubAppID)
	}

	media.CoverSource = types.StringValue("c.jpg")
	media.SubAppID = types.Int64Value(7)
	req, _ = media.applyUploadRequest()
	if req.CoverType != "jpg" || req.SubAppID == nil || *req.SubAppID != 7 {
		t.Errorf("with a cover and an application: %+v", req)
	}

	session := uploadSessionEphemeralResourceModel{
		MediaType: types.StringValue("mp4"), ExtInfo: types.StringValue("x"), CoverType: types.StringValue("PNG"),
		SubAppID: types.Int64Null(), ClassID: types.Int64Value(0),
	}
	req, _ = session.expandApplyUploadRequest()
	if req.SubAppID != nil || req.ExtInfo != "x" || req.CoverType != "png" || req.ClassID == nil || *req.ClassID != 0 {
		t.Errorf("session request %+v: a session without sub_app_id uses the provider's default", req)
	}
}
